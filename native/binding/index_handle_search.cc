// IndexHandle's searches: search(query, k, searchK?, filter?, strategy?, recall?, ef?) and
// searchById(id, ...), each answering
//   { ids: Uint32Array, distances: Float32Array, keys?, strategy, scored, ef }.
#include "filter_handle.h"
#include "index_handle.h"
#include "js_convert.h"
#include "js_errors.h"

namespace arroy_binding {

namespace {

// The request of info[first..first+5]: k, searchK (absent: the default),
// filter (a FilterHandle), strategy (a name), recall and ef (absent: the default).
arroy::SearchRequest to_request(Napi::Env env, const Napi::CallbackInfo& info, size_t first,
                                arroy::SearchStats* stats) {
  arroy::SearchRequest request;
  request.k = to_u32(env, info[first], "k");
  const Napi::Value search_k = info[first + 1];
  if (!search_k.IsUndefined() && !search_k.IsNull()) request.search_k = to_u53(env, search_k, "searchK");
  request.filter = FilterHandle::from(env, info[first + 2]);
  const Napi::Value strategy = info[first + 3];
  if (!strategy.IsUndefined()) {
    std::string name = to_string(env, strategy, "strategy");
    if (!arroy::parse_strategy(name.c_str(), &request.strategy)) throw_invalid(env, "unknown strategy '" + name + "'");
  }
  const Napi::Value recall = info[first + 4];
  if (!recall.IsUndefined() && !recall.IsNull()) request.recall = to_double(env, recall, "recall");
  const Napi::Value ef = info[first + 5];
  if (!ef.IsUndefined() && !ef.IsNull()) request.ef = to_u32(env, ef, "ef");
  request.stats = stats;
  return request;
}

Napi::Value hits_to_js(Napi::Env env, const std::vector<arroy::Hit>& hits, const std::vector<std::string>* keys,
                       const arroy::SearchStats& stats) {
  Napi::Uint32Array ids = Napi::Uint32Array::New(env, hits.size());
  Napi::Float32Array distances = Napi::Float32Array::New(env, hits.size());
  for (size_t i = 0; i < hits.size(); i++) {
    ids[i] = hits[i].id;
    distances[i] = hits[i].distance;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("ids", ids);
  result.Set("distances", distances);
  if (keys) {
    Napi::Array names = Napi::Array::New(env, keys->size());
    for (size_t i = 0; i < keys->size(); i++) names[static_cast<uint32_t>(i)] = Napi::String::New(env, (*keys)[i]);
    result.Set("keys", names);
  }
  result.Set("strategy", Napi::String::New(env, arroy::strategy_name(stats.strategy)));
  result.Set("scored", Napi::Number::New(env, double(stats.scored)));
  result.Set("ef", Napi::Number::New(env, stats.ef));
  return result;
}

}  // namespace

Napi::Value IndexHandle::Search(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    Napi::Float32Array query = to_float32_array(env, info[0], "query");
    arroy::SearchStats stats;
    const arroy::SearchRequest request = to_request(env, info, 1, &stats);
    std::vector<std::string> keys;
    std::vector<std::string>* want_keys = idx.string_keys() ? &keys : nullptr;
    std::vector<arroy::Hit> hits = idx.search(query.Data(), query.ElementLength(), request, want_keys);
    return hits_to_js(env, hits, want_keys, stats);
  });
}

// undefined when id is not stored
Napi::Value IndexHandle::SearchById(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    uint32_t id = to_u32(env, info[0], "id");
    arroy::SearchStats stats;
    const arroy::SearchRequest request = to_request(env, info, 1, &stats);
    std::vector<std::string> keys;
    std::vector<std::string>* want_keys = idx.string_keys() ? &keys : nullptr;
    std::optional<std::vector<arroy::Hit>> hits = idx.search_by_id(id, request, want_keys);
    if (!hits) return env.Undefined();
    return hits_to_js(env, *hits, want_keys, stats);
  });
}

}  // namespace arroy_binding
