// The JS class behind src/arroy-index.ts: a thin wrapper over arroy::Index.
// Arguments are converted (js_convert.h) and the core checks their values,
// so calling the binding directly with junk throws instead of crashing.
//
// The methods live in three files: index_handle.cc (lifetime, reads,
// changes), index_handle_search.cc and index_handle_build.cc.
#pragma once

#include <napi.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "forest/build_job.h"
#include "index.h"

namespace arroy_binding {

class IndexHandle : public Napi::ObjectWrap<IndexHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit IndexHandle(const Napi::CallbackInfo& info);
  ~IndexHandle() override;

  // Called by the build worker on the JS thread when it ends; a failed job's
  // changes go back to pending.
  void build_finished(arroy::BuildJob* failed);

  // Registers the cleanup hook of a JS environment (the main thread or a
  // worker_thread) that closes every handle it opened when it ends.
  static void track_environment(Napi::Env env);

 private:
  arroy::Index& index(Napi::Env env);

  Napi::Value Dimensions(const Napi::CallbackInfo& info);
  Napi::Value Metric(const Napi::CallbackInfo& info);
  Napi::Value Name(const Napi::CallbackInfo& info);
  Napi::Value ReadOnly(const Napi::CallbackInfo& info);
  Napi::Value Size(const Napi::CallbackInfo& info);
  Napi::Value TreeCount(const Napi::CallbackInfo& info);
  Napi::Value PendingCount(const Napi::CallbackInfo& info);
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value Remove(const Napi::CallbackInfo& info);
  Napi::Value Get(const Napi::CallbackInfo& info);
  Napi::Value GetAttributes(const Napi::CallbackInfo& info);
  Napi::Value Has(const Napi::CallbackInfo& info);
  Napi::Value StringKeys(const Napi::CallbackInfo& info);
  Napi::Value AddKey(const Napi::CallbackInfo& info);
  Napi::Value RemoveKey(const Napi::CallbackInfo& info);
  Napi::Value IdOfKey(const Napi::CallbackInfo& info);
  Napi::Value KeysFrom(const Napi::CallbackInfo& info);
  Napi::Value Distance(const Napi::CallbackInfo& info);
  Napi::Value IdsFrom(const Napi::CallbackInfo& info);
  Napi::Value Seed(const Napi::CallbackInfo& info);
  Napi::Value Search(const Napi::CallbackInfo& info);
  Napi::Value SearchById(const Napi::CallbackInfo& info);
  Napi::Value SearchAsync(const Napi::CallbackInfo& info);
  Napi::Value SearchBatch(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Check(const Napi::CallbackInfo& info);
  Napi::Value Build(const Napi::CallbackInfo& info);
  static Napi::Value BuildTogether(const Napi::CallbackInfo& info);
  static arroy::BuildOptions parse_build_options(Napi::Env env, const Napi::Value& value);
  static Napi::Value start_builds(Napi::Env env, const std::vector<IndexHandle*>& handles,
                                  const arroy::BuildOptions& options, Napi::Function on_progress, bool single);
  Napi::Value CancelBuild(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  static void environment_ended(void* env);
  static std::mutex& live_mutex();
  static std::map<napi_env, std::set<IndexHandle*>>& live_handles();

  std::unique_ptr<arroy::Index> index_;
  napi_env napi_env_ = nullptr;  // the environment this handle is tracked under
  // The monitor of the running build, if any (shared with its worker).
  std::shared_ptr<arroy::BuildMonitor> build_monitor_;
};

}  // namespace arroy_binding
