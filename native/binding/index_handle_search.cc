// IndexHandle's searches:
//   search(query, ...request) and searchById(id, ...request), each answering
//     { ids: Uint32Array, distances: Float32Array, keys?, strategy, scored, ef };
//   searchAsync(query, token, ...request), a Promise of the same;
//   searchBatch(matrix, threads, token, ...request), a Promise of
//     { ids, distances, counts: Uint32Array, keys? } (rows × k, row-major).
// `...request` is what to_request() reads, the same for all four, so an option
// added there reaches every search. token: 0, or the number cancelSearch()
// takes to abort that search.
#include <algorithm>
#include <cmath>
#include <limits>

#include "async_search.h"
#include "attribute_convert.h"
#include "filter_handle.h"
#include "index_handle.h"
#include "js_convert.h"
#include "js_errors.h"
#include "limits.h"
#include "search/search_pool.h"

namespace arroy_binding {

namespace {

// A search request and the filter it points into (held here, so an async
// search keeps it alive for as long as it runs).
struct ParsedRequest {
  arroy::SearchRequest request;
  std::shared_ptr<arroy::AllowedSet> filter;
  std::shared_ptr<arroy::AttributeFilter> where;
  bool attributes = false;  // return each hit's attributes
};

// The request of info[first...]: k, searchK (absent: the default), filter (a
// FilterHandle), strategy (a name), recall and ef (absent: the default), where
// (a normalised predicate, attribute_convert.h) and attributes (a boolean).
// The one place search options become a SearchRequest.
ParsedRequest to_request(Napi::Env env, const Napi::CallbackInfo& info, size_t first, const arroy::SearchTarget& target) {
  ParsedRequest parsed;
  arroy::SearchRequest& request = parsed.request;
  request.k = to_u32(env, info[first], "k");
  const Napi::Value search_k = info[first + 1];
  if (!search_k.IsUndefined() && !search_k.IsNull()) request.search_k = to_u53(env, search_k, "searchK");
  parsed.filter = FilterHandle::from(env, info[first + 2]);
  request.filter = parsed.filter.get();
  const Napi::Value strategy = info[first + 3];
  if (!strategy.IsUndefined()) {
    std::string name = to_string(env, strategy, "strategy");
    if (!arroy::parse_strategy(name.c_str(), &request.strategy)) throw_invalid(env, "unknown strategy '" + name + "'");
  }
  const Napi::Value recall = info[first + 4];
  if (!recall.IsUndefined() && !recall.IsNull()) request.recall = to_double(env, recall, "recall");
  const Napi::Value ef = info[first + 5];
  if (!ef.IsUndefined() && !ef.IsNull()) request.ef = to_u32(env, ef, "ef");
  const Napi::Value where = info[first + 6];
  if (!where.IsUndefined() && !where.IsNull()) {
    parsed.where = target.where_cache().get(to_where(env, where));
    request.where = parsed.where.get();
  }
  parsed.attributes = info[first + 7].IsBoolean() && info[first + 7].As<Napi::Boolean>().Value();
  return parsed;
}

Napi::Array strings_to_js(Napi::Env env, const std::vector<std::string>& strings) {
  Napi::Array out = Napi::Array::New(env, strings.size());
  for (size_t i = 0; i < strings.size(); i++) out[static_cast<uint32_t>(i)] = Napi::String::New(env, strings[i]);
  return out;
}

Napi::Value hits_to_js(Napi::Env env, const std::vector<arroy::Hit>& hits, const std::vector<std::string>* keys,
                       const arroy::SearchStats& stats, const std::vector<arroy::Attributes>* attributes = nullptr) {
  Napi::Uint32Array ids = Napi::Uint32Array::New(env, hits.size());
  Napi::Float32Array distances = Napi::Float32Array::New(env, hits.size());
  for (size_t i = 0; i < hits.size(); i++) {
    ids[i] = hits[i].id;
    distances[i] = hits[i].distance;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("ids", ids);
  result.Set("distances", distances);
  if (keys) result.Set("keys", strings_to_js(env, *keys));
  if (attributes) {
    Napi::Array list = Napi::Array::New(env, attributes->size());
    for (size_t i = 0; i < attributes->size(); i++) list[static_cast<uint32_t>(i)] = attributes_to_js(env, (*attributes)[i]);
    result.Set("attributes", list);
  }
  result.Set("strategy", Napi::String::New(env, arroy::strategy_name(stats.strategy)));
  result.Set("scored", Napi::Number::New(env, double(stats.scored)));
  result.Set("ef", Napi::Number::New(env, stats.ef));
  return result;
}

// A pool thread's session of the target for one stretch of work, given back
// warm (its cached node and slab addresses) for the next search.
class BorrowedSession {
 public:
  explicit BorrowedSession(const arroy::SearchTarget& target) : target_(target), session_(target.borrow_session()) {}
  ~BorrowedSession() { target_.return_session(std::move(session_)); }
  arroy::ReadSession& operator*() { return *session_; }

 private:
  const arroy::SearchTarget& target_;
  std::unique_ptr<arroy::ReadSession> session_;
};

class SingleSearch : public AsyncSearch {
 public:
  SingleSearch(std::shared_ptr<const arroy::SearchTarget> target, Napi::Float32Array query, ParsedRequest parsed)
      : AsyncSearch(std::move(target)),
        query_(query.Data(), query.Data() + query.ElementLength()),
        parsed_(std::move(parsed)) {
    parsed_.request.stats = &stats_;
  }

 private:
  void run(size_t) override {
    BorrowedSession session(*target_);
    std::vector<std::string>* keys = target_->string_keys() ? &keys_ : nullptr;
    hits_ = arroy::search_target(*target_, *session, query_.data(), query_.size(), parsed_.request, keys,
                                 parsed_.attributes ? &attributes_ : nullptr);
  }
  Napi::Value result(Napi::Env env) override {
    return hits_to_js(env, hits_, keyed_ ? &keys_ : nullptr, stats_, parsed_.attributes ? &attributes_ : nullptr);
  }

  std::vector<float> query_;
  ParsedRequest parsed_;
  arroy::SearchStats stats_;
  std::vector<arroy::Hit> hits_;
  std::vector<std::string> keys_;
  std::vector<arroy::Attributes> attributes_;
};

// Rows split into `parts` contiguous runs, one per pool task; each writes
// only its own rows of the results.
class BatchSearch : public AsyncSearch {
 public:
  static constexpr uint32_t kNoId = 0xFFFFFFFFu;

  BatchSearch(std::shared_ptr<const arroy::SearchTarget> target, Napi::Float32Array matrix, size_t rows,
              unsigned threads, ParsedRequest parsed)
      : AsyncSearch(std::move(target)),
        matrix_(matrix.Data(), matrix.Data() + matrix.ElementLength()),
        rows_(rows),
        parts_(std::max<size_t>(1, std::min<size_t>(threads, rows))),
        parsed_(std::move(parsed)) {
    const size_t cells = rows_ * parsed_.request.k;
    ids_.assign(cells, kNoId);
    distances_.assign(cells, std::numeric_limits<float>::infinity());
    counts_.assign(rows_, 0);
    if (target_->string_keys()) keys_.resize(cells);
  }

 private:
  size_t parts() const override { return parts_; }

  void run(size_t part) override {
    const size_t begin = rows_ * part / parts_, end = rows_ * (part + 1) / parts_;
    const uint32_t dims = target_->dimensions(), k = parsed_.request.k;
    BorrowedSession session(*target_);
    std::vector<std::string> row_keys;
    std::vector<std::string>* want_keys = target_->string_keys() ? &row_keys : nullptr;
    for (size_t row = begin; row < end && !should_stop(); row++) {
      std::vector<arroy::Hit> hits =
          arroy::search_target(*target_, *session, &matrix_[row * dims], dims, parsed_.request, want_keys);
      counts_[row] = static_cast<uint32_t>(hits.size());
      for (size_t i = 0; i < hits.size(); i++) {
        ids_[row * k + i] = hits[i].id;
        distances_[row * k + i] = hits[i].distance;
        if (want_keys) keys_[row * k + i] = std::move(row_keys[i]);
      }
    }
  }

  Napi::Value result(Napi::Env env) override {
    Napi::Uint32Array ids = Napi::Uint32Array::New(env, ids_.size());
    std::copy(ids_.begin(), ids_.end(), ids.Data());
    Napi::Float32Array distances = Napi::Float32Array::New(env, distances_.size());
    std::copy(distances_.begin(), distances_.end(), distances.Data());
    Napi::Uint32Array counts = Napi::Uint32Array::New(env, counts_.size());
    std::copy(counts_.begin(), counts_.end(), counts.Data());
    Napi::Object result = Napi::Object::New(env);
    result.Set("ids", ids);
    result.Set("distances", distances);
    result.Set("counts", counts);
    if (keyed_) {
      // Unfilled positions (past a row's count) read as undefined.
      Napi::Array keys = Napi::Array::New(env, keys_.size());
      const uint32_t k = parsed_.request.k;
      for (size_t row = 0; row < rows_; row++) {
        for (size_t i = 0; i < counts_[row]; i++) {
          keys[static_cast<uint32_t>(row * k + i)] = Napi::String::New(env, keys_[row * k + i]);
        }
      }
      result.Set("keys", keys);
    }
    return result;
  }

  std::vector<float> matrix_;
  size_t rows_;
  size_t parts_;
  ParsedRequest parsed_;
  std::vector<uint32_t> ids_;
  std::vector<float> distances_;
  std::vector<uint32_t> counts_;
  std::vector<std::string> keys_;
};

}  // namespace

Napi::Value IndexHandle::Search(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    Napi::Float32Array query = to_float32_array(env, info[0], "query");
    arroy::SearchStats stats;
    ParsedRequest parsed = to_request(env, info, 1, *idx.target());
    parsed.request.stats = &stats;
    std::vector<std::string> keys;
    std::vector<std::string>* want_keys = idx.string_keys() ? &keys : nullptr;
    std::vector<arroy::Attributes> attributes;
    std::vector<arroy::Attributes>* want_attributes = parsed.attributes ? &attributes : nullptr;
    std::vector<arroy::Hit> hits =
        idx.search(query.Data(), query.ElementLength(), parsed.request, want_keys, want_attributes);
    return hits_to_js(env, hits, want_keys, stats, want_attributes);
  });
}

// undefined when id is not stored
Napi::Value IndexHandle::SearchById(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    uint32_t id = to_u32(env, info[0], "id");
    arroy::SearchStats stats;
    ParsedRequest parsed = to_request(env, info, 1, *idx.target());
    parsed.request.stats = &stats;
    std::vector<std::string> keys;
    std::vector<std::string>* want_keys = idx.string_keys() ? &keys : nullptr;
    std::vector<arroy::Attributes> attributes;
    std::vector<arroy::Attributes>* want_attributes = parsed.attributes ? &attributes : nullptr;
    std::optional<std::vector<arroy::Hit>> hits = idx.search_by_id(id, parsed.request, want_keys, want_attributes);
    if (!hits) return env.Undefined();
    return hits_to_js(env, *hits, want_keys, stats, want_attributes);
  });
}

// Argument errors throw synchronously; what the core finds (a wrong
// dimension, a non-finite value) rejects the promise.
Napi::Value IndexHandle::SearchAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    std::shared_ptr<const arroy::SearchTarget> target = index(env).target();
    Napi::Float32Array query = to_float32_array(env, info[0], "query");
    const uint32_t token = to_u32(env, info[1], "token");
    ParsedRequest parsed = to_request(env, info, 2, *target);
    return AsyncSearch::start(env, std::make_unique<SingleSearch>(std::move(target), query, std::move(parsed)), token);
  });
}

Napi::Value IndexHandle::SearchBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    std::shared_ptr<const arroy::SearchTarget> target = index(env).target();
    Napi::Float32Array matrix = to_float32_array(env, info[0], "queries");
    const uint32_t threads = to_u32(env, info[1], "threads");
    const uint32_t token = to_u32(env, info[2], "token");
    ParsedRequest parsed = to_request(env, info, 3, *target);
    const uint32_t dims = target->dimensions();
    if (matrix.ElementLength() % dims != 0) {
      throw to_js_error(env, arroy::Error(arroy::ErrorCode::DimensionMismatch,
                                          "the query matrix has " + std::to_string(matrix.ElementLength()) +
                                              " values, not a multiple of the index's " + std::to_string(dims)));
    }
    if (threads == 0 || threads > arroy::kMaxThreads) {
      throw_invalid(env, "threads must be from 1 to " + std::to_string(arroy::kMaxThreads));
    }
    const size_t rows = matrix.ElementLength() / dims;
    if (uint64_t(rows) * parsed.request.k > arroy::kMaxBatchResults) {
      throw_invalid(env, "rows × k must be at most " + std::to_string(arroy::kMaxBatchResults));
    }
    return AsyncSearch::start(
        env, std::make_unique<BatchSearch>(std::move(target), matrix, rows, threads, std::move(parsed)), token);
  });
}

}  // namespace arroy_binding
