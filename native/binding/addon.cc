// Module entry: the IndexHandle class plus the engine's limits and defaults,
// so that the TypeScript layer validates against the same numbers.
#include <napi.h>

#include "defaults.h"
#include "distance.h"
#include "format.h"
#include "index_handle.h"
#include "js_errors.h"

namespace arroy_binding {

namespace {

Napi::Value DefaultTreeCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t items = to_uint32(env, info[0], "items", 0, 0xFFFFFFFFu);
  uint32_t dims = to_uint32(env, info[1], "dimensions", 1, arroy::kMaxDimensions);
  return Napi::Number::New(env, arroy::default_tree_count(items, dims));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("IndexHandle", IndexHandle::Define(env));
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
  exports.Set("simd", Napi::String::New(env, arroy::active_kernels().name));
  return exports;
}

}  // namespace

}  // namespace arroy_binding

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return arroy_binding::Init(env, exports); }

NODE_API_MODULE(arroy_ts, InitModule)
