// Module entry: the handle classes, the file-level functions, and every name
// list, limit and default of the core, so that the TypeScript layer types and
// validates against the same values (src/names.ts, src/validate.ts).
#include <napi.h>

#include "addon_data.h"
#include "catalog_functions.h"
#include "checksum/crc32c.h"
#include "defaults.h"
#include "distance/kernels.h"
#include "distance/metric.h"
#include "errors.h"
#include "format.h"
#include "filter_handle.h"
#include "forest/build_monitor.h"
#include "index_handle.h"
#include "js_errors.h"
#include "limits.h"
#include "search/search_pool.h"
#include "search/strategy.h"
#include "snapshot_functions.h"

namespace arroy_binding {

namespace {

template <typename T, size_t N, typename Name>
Napi::Array names_of(Napi::Env env, const T (&values)[N], Name name) {
  Napi::Array out = Napi::Array::New(env, N);
  for (size_t i = 0; i < N; i++) out[static_cast<uint32_t>(i)] = Napi::String::New(env, name(values[i]));
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<AddonData>(new AddonData());
  AddonData::of(env).searches = SearchChannel::create(env);
  exports.Set("cancelSearch", Napi::Function::New(env, SearchChannel::Cancel));
  exports.Set("IndexHandle", IndexHandle::Define(env));
  exports.Set("FilterHandle", FilterHandle::Define(env));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass));
  exports.Set("listIndexes", Napi::Function::New(env, ListIndexes));
  exports.Set("dropIndex", Napi::Function::New(env, DropIndex));
  exports.Set("snapshot", Napi::Function::New(env, Snapshot));
  exports.Set("simd", Napi::String::New(env, arroy::active_kernels().name));
  exports.Set("crc32c", Napi::String::New(env, arroy::crc32c_implementation()));
  exports.Set("formatVersion", Napi::Number::New(env, arroy::kFormatVersion));

  Napi::Object names = Napi::Object::New(env);
  names.Set("distances", names_of(env, arroy::kMetrics, arroy::metric_name));
  names.Set("strategies", names_of(env, arroy::kSearchStrategies, arroy::strategy_name));
  names.Set("buildPhases", names_of(env, arroy::kBuildPhases, arroy::build_phase_name));
  names.Set("errorCodes", names_of(env, arroy::kErrorCodes, arroy::error_code_name));
  exports.Set("names", names);

  Napi::Object limits = Napi::Object::New(env);
  limits.Set("maxDimensions", Napi::Number::New(env, arroy::kMaxDimensions));
  limits.Set("maxItemId", Napi::Number::New(env, double(arroy::kMaxItemId)));
  limits.Set("maxKeyBytes", Napi::Number::New(env, double(arroy::kMaxKeyBytes)));
  limits.Set("maxTrees", Napi::Number::New(env, arroy::kMaxTrees));
  limits.Set("minBucketCapacity", Napi::Number::New(env, arroy::kMinBucketCapacity));
  limits.Set("maxBucketCapacity", Napi::Number::New(env, arroy::kMaxBucketCapacity));
  limits.Set("maxIndexNameBytes", Napi::Number::New(env, double(arroy::kMaxIndexNameBytes)));
  limits.Set("maxThreads", Napi::Number::New(env, arroy::kMaxThreads));
  limits.Set("maxBatchResults", Napi::Number::New(env, double(arroy::kMaxBatchResults)));
  limits.Set("maxGraphDegree", Napi::Number::New(env, arroy::kMaxGraphDegree));
  limits.Set("maxSearchEf", Napi::Number::New(env, arroy::kMaxSearchEf));
  limits.Set("maxAttributeFields", Napi::Number::New(env, arroy::kMaxAttributeFields));
  limits.Set("maxIndexFields", Napi::Number::New(env, arroy::kMaxIndexFields));
  limits.Set("maxAttributeNameBytes", Napi::Number::New(env, double(arroy::kMaxAttributeNameBytes)));
  limits.Set("maxAttributeStringBytes", Napi::Number::New(env, double(arroy::kMaxAttributeStringBytes)));
  limits.Set("maxAttributeBytes", Napi::Number::New(env, double(arroy::kMaxAttributeBytes)));
  limits.Set("maxWhereDepth", Napi::Number::New(env, arroy::kMaxWhereDepth));
  limits.Set("maxWhereValues", Napi::Number::New(env, arroy::kMaxWhereValues));
  limits.Set("minMapSize", Napi::Number::New(env, double(arroy::kMinMapSize)));
  limits.Set("maxMapSize", Napi::Number::New(env, double(arroy::kMaxMapSize)));
  exports.Set("limits", limits);

  Napi::Object defaults = Napi::Object::New(env);
  defaults.Set("mapSize", Napi::Number::New(env, double(arroy::kDefaultMapSize)));
  defaults.Set("searchThreads", Napi::Number::New(env, arroy::search_pool_threads()));
  defaults.Set("recall", Napi::Number::New(env, arroy::kDefaultRecall));
  defaults.Set("recallMissShare", Napi::Number::New(env, arroy::kRecallMissShare));
  exports.Set("defaults", defaults);

  IndexHandle::track_environment(env);
  return exports;
}

}  // namespace

}  // namespace arroy_binding

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return arroy_binding::Init(env, exports); }

NODE_API_MODULE(arroy_ts, InitModule)
