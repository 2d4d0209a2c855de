// Module entry: the IndexHandle class plus the engine's limits and defaults,
// so that the TypeScript layer validates against the same numbers.
#include <napi.h>

#include "defaults.h"
#include "distance.h"
#include "format.h"
#include "index.h"
#include "filter_handle.h"
#include "index_handle.h"
#include "storage.h"
#include "js_errors.h"

namespace arroy_binding {

namespace {

Napi::Value DefaultTreeCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t items = to_uint32(env, info[0], "items", 0, 0xFFFFFFFFu);
  uint32_t dims = to_uint32(env, info[1], "dimensions", 1, arroy::kMaxDimensions);
  return Napi::Number::New(env, arroy::default_tree_count(items, dims));
}

arroy::EnvironmentOptions environment_options(Napi::Env env, const Napi::Value& value) {
  arroy::EnvironmentOptions options;
  if (!value.IsObject()) return options;
  Napi::Object o = value.As<Napi::Object>();
  if (o.Has("readOnly")) options.read_only = o.Get("readOnly").ToBoolean();
  if (o.Has("mapSize")) options.map_size = to_map_size(env, o.Get("mapSize"));
  return options;
}

// listIndexes(path, { readOnly?, mapSize? }) -> string[]
Napi::Value ListIndexes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    if (!info[0].IsString()) throw_invalid(env, "path must be a string");
    auto environment = arroy::Environment::open(info[0].As<Napi::String>(), environment_options(env, info[1]));
    std::vector<std::string> names = arroy::list_indexes(environment);
    Napi::Array out = Napi::Array::New(env, names.size());
    for (size_t i = 0; i < names.size(); i++) out[static_cast<uint32_t>(i)] = Napi::String::New(env, names[i]);
    return out;
  });
}

// dropIndex(path, { mapSize? }, name) -> boolean
Napi::Value DropIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    if (!info[0].IsString()) throw_invalid(env, "path must be a string");
    if (!info[2].IsString()) throw_invalid(env, "name must be a string");
    auto environment = arroy::Environment::open(info[0].As<Napi::String>(), environment_options(env, info[1]));
    return Napi::Boolean::New(env, arroy::drop_index(environment, info[2].As<Napi::String>()));
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("IndexHandle", IndexHandle::Define(env));
  exports.Set("FilterHandle", FilterHandle::Define(env));
  Napi::Object limits = Napi::Object::New(env);
  limits.Set("maxDimensions", Napi::Number::New(env, arroy::kMaxDimensions));
  limits.Set("maxItemId", Napi::Number::New(env, double(arroy::kMaxItemId)));
  limits.Set("maxTrees", Napi::Number::New(env, arroy::kMaxTrees));
  limits.Set("minBucketCapacity", Napi::Number::New(env, arroy::kMinBucketCapacity));
  limits.Set("maxBucketCapacity", Napi::Number::New(env, arroy::kMaxBucketCapacity));
  limits.Set("maxIndexNameBytes", Napi::Number::New(env, double(arroy::kMaxIndexNameBytes)));
  limits.Set("formatVersion", Napi::Number::New(env, arroy::kFormatVersion));
  exports.Set("limits", limits);
  exports.Set("defaultTreeCount", Napi::Function::New(env, DefaultTreeCount));
  exports.Set("listIndexes", Napi::Function::New(env, ListIndexes));
  exports.Set("dropIndex", Napi::Function::New(env, DropIndex));
  exports.Set("simd", Napi::String::New(env, arroy::active_kernels().name));
  Napi::Object defaults = Napi::Object::New(env);
  defaults.Set("mapSize", Napi::Number::New(env, double(arroy::kDefaultMapSize)));
  defaults.Set("minMapSize", Napi::Number::New(env, double(arroy::kMinMapSize)));
  defaults.Set("maxMapSize", Napi::Number::New(env, double(arroy::kMaxMapSize)));
  exports.Set("mapSizes", defaults);
  IndexHandle::track_environment(env);
  return exports;
}

}  // namespace

}  // namespace arroy_binding

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return arroy_binding::Init(env, exports); }

NODE_API_MODULE(arroy_ts, InitModule)
