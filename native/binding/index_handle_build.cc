// IndexHandle's builds: build(options, onProgress?) for one index and the
// static buildTogether(handles, options, onProgress?) for several indexes of
// one file in one write transaction. Both return a Promise that a
// BuildWorker settles.
#include "addon_data.h"
#include "build_worker.h"
#include "index_handle.h"
#include "js_convert.h"
#include "js_errors.h"

namespace arroy_binding {

arroy::BuildOptions IndexHandle::parse_build_options(Napi::Env env, const Napi::Value& value) {
  arroy::BuildOptions options;
  if (!value.IsObject()) return options;
  Napi::Object o = value.As<Napi::Object>();
  if (has_option(o, "rebuild")) options.rebuild = o.Get("rebuild").ToBoolean();
  if (has_option(o, "trees")) options.trees = to_u32(env, o.Get("trees"), "trees");
  if (has_option(o, "bucketCapacity")) options.bucket_capacity = to_u32(env, o.Get("bucketCapacity"), "bucketCapacity");
  if (has_option(o, "threads")) options.threads = to_u32(env, o.Get("threads"), "threads");
  if (has_option(o, "graph")) options.graph = o.Get("graph").ToBoolean().Value();
  if (has_option(o, "graphDegree")) options.graph_degree = to_u32(env, o.Get("graphDegree"), "graphDegree");
  if (has_option(o, "seed")) {
    options.seed = to_u64(env, o.Get("seed"), "seed");
    options.has_seed = true;
  }
  return options;
}

Napi::Value IndexHandle::start_builds(Napi::Env env, const std::vector<IndexHandle*>& handles,
                                      const arroy::BuildOptions& options, Napi::Function on_progress, bool single) {
  for (IndexHandle* handle : handles) {
    handle->index(env);
    if (handle->build_monitor_) {
      throw to_js_error(env, arroy::Error(arroy::ErrorCode::Busy, "a build of index '" + handle->index_->name() +
                                                                        "' is already running"));
    }
  }
  for (size_t i = 0; i < handles.size(); i++) {
    for (size_t j = 0; j < i; j++) {
      if (handles[i] == handles[j]) throw_invalid(env, "the same index is listed twice");
    }
  }
  auto monitor = std::make_shared<arroy::BuildMonitor>();
  std::vector<BuildParticipant> participants;
  for (IndexHandle* handle : handles) {
    participants.push_back({handle, Napi::Persistent(handle->Value()), handle->index_->start_build(options)});
  }
  for (IndexHandle* handle : handles) handle->build_monitor_ = monitor;
  auto* worker = new BuildWorker(env, std::move(participants), single, monitor, on_progress);
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

// build({ rebuild?, trees?, seed?, bucketCapacity?, threads?, graph?, graphDegree? }, onProgress?) -> Promise<report>
Napi::Value IndexHandle::Build(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::BuildOptions options = parse_build_options(env, info[0]);
    Napi::Function on_progress = info[1].IsFunction() ? info[1].As<Napi::Function>() : Napi::Function();
    return start_builds(env, {this}, options, on_progress, true);
  });
}

// buildTogether([handle, ...], options, onProgress?) -> Promise<report[]>: one
// write transaction for every listed index (all of one file).
Napi::Value IndexHandle::BuildTogether(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    if (!info[0].IsArray()) throw_invalid(env, "handles must be an array");
    Napi::Array array = info[0].As<Napi::Array>();
    std::vector<IndexHandle*> handles;
    for (uint32_t i = 0; i < array.Length(); i++) {
      Napi::Value v = array.Get(i);
      if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(AddonData::of(env).index_handle.Value())) {
        throw_invalid(env, "handles must hold index handles");
      }
      handles.push_back(Unwrap(v.As<Napi::Object>()));
    }
    if (handles.empty()) throw_invalid(env, "no index to build");
    arroy::BuildOptions options = parse_build_options(env, info[1]);
    Napi::Function on_progress = info[2].IsFunction() ? info[2].As<Napi::Function>() : Napi::Function();
    return start_builds(env, handles, options, on_progress, false);
  });
}

void IndexHandle::build_finished(arroy::BuildJob* failed) {
  build_monitor_.reset();
  if (failed && index_ && !index_->closed()) index_->restore_pending(*failed);
}

Napi::Value IndexHandle::CancelBuild(const Napi::CallbackInfo& info) {
  if (build_monitor_) build_monitor_->cancelled = true;
  return info.Env().Undefined();
}

}  // namespace arroy_binding
