#include "index_handle.h"

#include <cmath>

#include "build_worker.h"
#include "defaults.h"
#include "filter_handle.h"
#include "format.h"
#include "js_errors.h"

namespace arroy_binding {

namespace {

bool has(const Napi::Object& o, const char* key) {
  return o.Has(key) && !o.Get(key).IsUndefined() && !o.Get(key).IsNull();
}

// searchK arrives as a JS number; 0 means "use the default".
uint64_t to_search_k(Napi::Env env, const Napi::Value& value) {
  if (value.IsUndefined() || value.IsNull()) return 0;
  if (!value.IsNumber()) throw_invalid(env, "searchK must be a number");
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 1) || std::floor(d) != d || d > 9007199254740991.0) {
    throw_invalid(env, "searchK must be a positive integer");
  }
  return static_cast<uint64_t>(d);
}

// The optional filter (a FilterHandle) and strategy ('auto' | 'forest' |
// 'exact') of search() and searchById().
arroy::Query to_query(Napi::Env env, const Napi::Value& filter, const Napi::Value& strategy,
                      arroy::SearchStats* stats) {
  arroy::Query query;
  query.filter = FilterHandle::from(env, filter);
  query.stats = stats;
  if (!strategy.IsUndefined()) {
    std::string name = strategy.IsString() ? strategy.As<Napi::String>().Utf8Value() : std::string();
    if (name == "auto") {
      query.strategy = arroy::SearchStrategy::Auto;
    } else if (name == "forest") {
      query.strategy = arroy::SearchStrategy::Forest;
    } else if (name == "exact") {
      query.strategy = arroy::SearchStrategy::Exact;
    } else {
      throw_invalid(env, "strategy must be 'auto', 'forest' or 'exact'");
    }
  }
  return query;
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
  result.Set("strategy", Napi::String::New(env, stats.strategy == arroy::SearchStrategy::Exact ? "exact" : "forest"));
  result.Set("scored", Napi::Number::New(env, double(stats.scored)));
  return result;
}

}  // namespace

Napi::Function IndexHandle::Define(Napi::Env env) {
  Napi::Function cls = DefineClass(env, "IndexHandle",
                     {
                         InstanceMethod<&IndexHandle::Dimensions>("dimensions"),
                         InstanceMethod<&IndexHandle::Metric>("metric"),
                         InstanceMethod<&IndexHandle::Name>("name"),
                         InstanceMethod<&IndexHandle::ReadOnly>("readOnly"),
                         InstanceMethod<&IndexHandle::Size>("size"),
                         InstanceMethod<&IndexHandle::TreeCount>("treeCount"),
                         InstanceMethod<&IndexHandle::PendingCount>("pendingCount"),
                         InstanceMethod<&IndexHandle::Add>("add"),
                         InstanceMethod<&IndexHandle::Remove>("remove"),
                         InstanceMethod<&IndexHandle::Get>("get"),
                         InstanceMethod<&IndexHandle::Has>("has"),
                         InstanceMethod<&IndexHandle::StringKeys>("stringKeys"),
                         InstanceMethod<&IndexHandle::AddKey>("addKey"),
                         InstanceMethod<&IndexHandle::RemoveKey>("removeKey"),
                         InstanceMethod<&IndexHandle::IdOfKey>("idOfKey"),
                         InstanceMethod<&IndexHandle::KeysFrom>("keysFrom"),
                         InstanceMethod<&IndexHandle::Distance>("distance"),
                         InstanceMethod<&IndexHandle::IdsFrom>("idsFrom"),
                         InstanceMethod<&IndexHandle::Seed>("seed"),
                         InstanceMethod<&IndexHandle::Search>("search"),
                         InstanceMethod<&IndexHandle::SearchById>("searchById"),
                         InstanceMethod<&IndexHandle::Stats>("stats"),
                         InstanceMethod<&IndexHandle::Check>("check"),
                         InstanceMethod<&IndexHandle::Build>("build"),
                         InstanceMethod<&IndexHandle::CancelBuild>("cancelBuild"),
                         InstanceMethod<&IndexHandle::Close>("close"),
                         StaticMethod<&IndexHandle::BuildTogether>("buildTogether"),
                     });
  env.SetInstanceData<Napi::FunctionReference>(new Napi::FunctionReference(Napi::Persistent(cls)));
  return cls;
}

// new IndexHandle(path, { name?, dimensions?, distance?, readOnly?, mapSize? })
IndexHandle::IndexHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<IndexHandle>(info) {
  Napi::Env env = info.Env();
  guard(env, [&] {
    if (!info[0].IsString()) throw_invalid(env, "path must be a string");
    if (!info[1].IsObject()) throw_invalid(env, "options must be an object");
    std::string path = info[0].As<Napi::String>().Utf8Value();
    Napi::Object o = info[1].As<Napi::Object>();
    arroy::OpenOptions options;
    if (has(o, "name")) {
      if (!o.Get("name").IsString()) throw_invalid(env, "name must be a string");
      options.name = o.Get("name").As<Napi::String>().Utf8Value();
    }
    if (has(o, "dimensions")) {
      options.dimensions = to_uint32(env, o.Get("dimensions"), "dimensions", 1, arroy::kMaxDimensions);
    }
    if (has(o, "distance")) {
      arroy::Metric metric;
      if (!o.Get("distance").IsString() || !arroy::parse_metric(o.Get("distance").As<Napi::String>(), &metric)) {
        throw_invalid(env, "distance must be one of 'euclidean', 'manhattan', 'cosine', 'dot'");
      }
      options.metric = metric;
    }
    if (has(o, "readOnly")) options.read_only = o.Get("readOnly").ToBoolean();
    if (has(o, "keys")) {
      Napi::Value keys = o.Get("keys");
      std::string kind = keys.IsString() ? keys.As<Napi::String>().Utf8Value() : "";
      if (kind != "string" && kind != "number") throw_invalid(env, "keys must be 'number' or 'string'");
      options.string_keys = kind == "string";
    }
    if (has(o, "mapSize")) options.map_size = to_map_size(env, o.Get("mapSize"));
    index_ = arroy::Index::open(path, options);
  });
  napi_env_ = env;
  std::lock_guard<std::mutex> lock(live_mutex());
  live_handles()[napi_env_].insert(this);
}

IndexHandle::~IndexHandle() {
  if (build_monitor_) build_monitor_->cancelled = true;
  std::lock_guard<std::mutex> lock(live_mutex());
  auto found = live_handles().find(napi_env_);
  if (found != live_handles().end()) found->second.erase(this);
}

// ------------------------------------------------------------ environment end
//
// When a worker_thread ends (or the main thread exits), Node runs the
// cleanup hooks of its environment. A build the thread started is cancelled
// and joined by its own thread-safe function's finalizer (build_worker.h).
// This hook closes every handle the thread opened: their Index objects drop
// their read snapshots and registry references, and the file closes once no
// thread of the process has it open. Handles collected later find
// themselves already closed.

std::mutex& IndexHandle::live_mutex() {
  static auto* mutex = new std::mutex();  // never destroyed: outlives static teardown
  return *mutex;
}

std::map<napi_env, std::set<IndexHandle*>>& IndexHandle::live_handles() {
  static auto* handles = new std::map<napi_env, std::set<IndexHandle*>>();
  return *handles;
}

void IndexHandle::track_environment(Napi::Env env) {
  napi_add_env_cleanup_hook(env, &IndexHandle::environment_ended, static_cast<napi_env>(env));
}

void IndexHandle::environment_ended(void* arg) {
  napi_env env = static_cast<napi_env>(arg);
  std::set<IndexHandle*> handles;
  {
    std::lock_guard<std::mutex> lock(live_mutex());
    auto found = live_handles().find(env);
    if (found == live_handles().end()) return;
    handles.swap(found->second);
    live_handles().erase(found);
  }
  for (IndexHandle* handle : handles) {
    handle->napi_env_ = nullptr;
    if (handle->build_monitor_) handle->build_monitor_->cancelled = true;
    if (handle->index_) handle->index_->close();
  }
}

arroy::Index& IndexHandle::index(Napi::Env env) {
  if (!index_ || index_->closed()) throw to_js_error(env, arroy::Error(arroy::ErrorCode::Closed, "the index is closed"));
  return *index_;
}

Napi::Value IndexHandle::Dimensions(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), index(info.Env()).dimensions());
}

Napi::Value IndexHandle::Metric(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), arroy::metric_name(index(info.Env()).metric()));
}

Napi::Value IndexHandle::Name(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), index(info.Env()).name());
}

Napi::Value IndexHandle::ReadOnly(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), index(info.Env()).read_only());
}

Napi::Value IndexHandle::Size(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&] { return Napi::Number::New(env, index(env).size()); });
}

Napi::Value IndexHandle::TreeCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&] { return Napi::Number::New(env, index(env).tree_count()); });
}

Napi::Value IndexHandle::PendingCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::Number::New(env, double(index(env).pending_count()));
}

// add(id, Float32Array)
Napi::Value IndexHandle::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] {
    arroy::Index& idx = index(env);
    uint32_t id = to_item_id(env, info[0], "id");
    Napi::Float32Array v = to_float32_array(env, info[1], "vector");
    idx.add(id, v.Data(), v.ElementLength());
  });
  return env.Undefined();
}

Napi::Value IndexHandle::Remove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] { index(env).remove(to_item_id(env, info[0], "id")); });
  return env.Undefined();
}

Napi::Value IndexHandle::Get(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    uint32_t id = to_item_id(env, info[0], "id");
    std::vector<float> values;
    if (!idx.get(id, &values)) return env.Undefined();
    Napi::Float32Array out = Napi::Float32Array::New(env, values.size());
    std::copy(values.begin(), values.end(), out.Data());
    return out;
  });
}

namespace {
std::string to_key(Napi::Env env, const Napi::Value& value) {
  if (!value.IsString()) throw_invalid(env, "key must be a string");
  return value.As<Napi::String>().Utf8Value();
}
}  // namespace

Napi::Value IndexHandle::StringKeys(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), index(info.Env()).string_keys());
}

Napi::Value IndexHandle::AddKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] {
    arroy::Index& idx = index(env);
    std::string key = to_key(env, info[0]);
    Napi::Float32Array v = to_float32_array(env, info[1], "vector");
    idx.add_key(key, v.Data(), v.ElementLength());
  });
  return env.Undefined();
}

Napi::Value IndexHandle::RemoveKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] { index(env).remove_key(to_key(env, info[0])); });
  return env.Undefined();
}

Napi::Value IndexHandle::IdOfKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    std::optional<uint32_t> id = index(env).id_of_key(to_key(env, info[0]));
    if (!id) return env.Undefined();
    return Napi::Number::New(env, *id);
  });
}

// keysFrom(from, limit) -> string[] of committed keys >= from, in byte order
Napi::Value IndexHandle::KeysFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    if (!info[0].IsString()) throw_invalid(env, "from must be a string");
    uint32_t limit = to_uint32(env, info[1], "limit", 1, 1u << 20);
    std::vector<std::string> keys = idx.keys_from(info[0].As<Napi::String>().Utf8Value(), limit);
    Napi::Array out = Napi::Array::New(env, keys.size());
    for (size_t i = 0; i < keys.size(); i++) out[static_cast<uint32_t>(i)] = Napi::String::New(env, keys[i]);
    return out;
  });
}

Napi::Value IndexHandle::Has(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&] { return Napi::Boolean::New(env, index(env).has(to_item_id(env, info[0], "id"))); });
}

// distance(a, b) -> number, or undefined when either id is not stored
Napi::Value IndexHandle::Distance(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    std::optional<float> d = idx.distance(to_item_id(env, info[0], "a"), to_item_id(env, info[1], "b"));
    if (!d) return env.Undefined();
    return Napi::Number::New(env, *d);
  });
}

// idsFrom(from, limit) -> Uint32Array of stored ids >= from, ascending
Napi::Value IndexHandle::IdsFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    if (!info[0].IsNumber()) throw_invalid(env, "from must be a number");
    double from = info[0].As<Napi::Number>().DoubleValue();
    if (!(from >= 0) || std::floor(from) != from) throw_invalid(env, "from must be a non-negative integer");
    uint32_t limit = to_uint32(env, info[1], "limit", 1, 1u << 20);
    std::vector<uint32_t> ids = idx.ids_from(from > 4294967296.0 ? 4294967296ull : uint64_t(from), limit);
    Napi::Uint32Array out = Napi::Uint32Array::New(env, ids.size());
    std::copy(ids.begin(), ids.end(), out.Data());
    return out;
  });
}

Napi::Value IndexHandle::Seed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    std::optional<uint64_t> seed = index(env).seed();
    if (!seed) return env.Undefined();
    return Napi::BigInt::New(env, *seed);
  });
}

// search(Float32Array, k, searchK?, filter?, strategy?)
//   -> { ids: Uint32Array, distances: Float32Array, keys?, strategy, scored }
Napi::Value IndexHandle::Search(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    Napi::Float32Array query = to_float32_array(env, info[0], "query");
    if (query.ElementLength() != idx.dimensions()) {
      throw to_js_error(env, arroy::Error(arroy::ErrorCode::DimensionMismatch,
                                          "the query has " + std::to_string(query.ElementLength()) +
                                              " values, the index " + std::to_string(idx.dimensions())));
    }
    uint32_t k = to_uint32(env, info[1], "k", 1, 0xFFFFFFFFu);
    std::vector<std::string> keys;
    std::vector<std::string>* want_keys = idx.string_keys() ? &keys : nullptr;
    arroy::SearchStats stats;
    arroy::Query options = to_query(env, info[3], info[4], &stats);
    std::vector<arroy::Hit> hits = idx.search(query.Data(), k, to_search_k(env, info[2]), want_keys, options);
    return hits_to_js(env, hits, want_keys, stats);
  });
}

// searchById(id, k, searchK?, filter?, strategy?) -> result, or undefined when id is not stored
Napi::Value IndexHandle::SearchById(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    uint32_t id = to_item_id(env, info[0], "id");
    uint32_t k = to_uint32(env, info[1], "k", 1, 0xFFFFFFFFu);
    std::vector<std::string> keys;
    std::vector<std::string>* want_keys = idx.string_keys() ? &keys : nullptr;
    arroy::SearchStats stats;
    arroy::Query options = to_query(env, info[3], info[4], &stats);
    auto hits = idx.search_by_id(id, k, to_search_k(env, info[2]), want_keys, options);
    if (!hits) return env.Undefined();
    return hits_to_js(env, *hits, want_keys, stats);
  });
}

Napi::Value IndexHandle::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::IndexStats stats = index(env).inspect(false);
    Napi::Object out = Napi::Object::New(env);
    out.Set("items", Napi::Number::New(env, stats.items));
    out.Set("dimensions", Napi::Number::New(env, stats.dimensions));
    out.Set("bucketCapacity", Napi::Number::New(env, stats.bucket_capacity));
    out.Set("slots", Napi::Number::New(env, stats.slots));
    out.Set("freeSlots", Napi::Number::New(env, stats.free_slots));
    out.Set("nodes", Napi::Number::New(env, double(stats.nodes)));
    out.Set("seed", Napi::BigInt::New(env, static_cast<uint64_t>(stats.seed)));
    Napi::Array trees = Napi::Array::New(env, stats.trees.size());
    for (size_t i = 0; i < stats.trees.size(); i++) {
      const arroy::TreeStats& t = stats.trees[i];
      Napi::Object tree = Napi::Object::New(env);
      tree.Set("root", Napi::Number::New(env, t.root));
      tree.Set("depth", Napi::Number::New(env, t.depth));
      tree.Set("nodes", Napi::Number::New(env, t.nodes));
      tree.Set("buckets", Napi::Number::New(env, t.buckets));
      tree.Set("splits", Napi::Number::New(env, t.splits));
      tree.Set("randomSplits", Napi::Number::New(env, t.random_splits));
      tree.Set("largestBucket", Napi::Number::New(env, t.largest_bucket));
      trees[static_cast<uint32_t>(i)] = tree;
    }
    out.Set("trees", trees);
    return out;
  });
}

Napi::Value IndexHandle::Check(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] { index(env).inspect(true); });
  return env.Undefined();
}

arroy::BuildOptions IndexHandle::parse_build_options(Napi::Env env, const Napi::Value& value) {
  arroy::BuildOptions options;
  if (!value.IsObject()) return options;
  Napi::Object o = value.As<Napi::Object>();
  if (has(o, "rebuild")) options.rebuild = o.Get("rebuild").ToBoolean();
  if (has(o, "trees")) options.trees = to_uint32(env, o.Get("trees"), "trees", 1, arroy::kMaxTrees);
  if (has(o, "bucketCapacity")) {
    options.bucket_capacity = to_uint32(env, o.Get("bucketCapacity"), "bucketCapacity", arroy::kMinBucketCapacity,
                                        arroy::kMaxBucketCapacity);
  }
  if (has(o, "threads")) options.threads = to_uint32(env, o.Get("threads"), "threads", 1, 1024);
  if (has(o, "seed")) {
    Napi::Value seed = o.Get("seed");
    bool lossless = false;
    if (seed.IsBigInt()) {
      options.seed = seed.As<Napi::BigInt>().Uint64Value(&lossless);
    } else if (seed.IsNumber()) {
      double d = seed.As<Napi::Number>().DoubleValue();
      lossless = d >= 0 && d <= 9007199254740991.0 && std::floor(d) == d;
      options.seed = static_cast<uint64_t>(d);
    }
    if (!lossless) throw_invalid(env, "seed must be a non-negative safe integer or a bigint below 2^64");
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

// build({ rebuild?, trees?, seed?, bucketCapacity?, threads? }, onProgress?) -> Promise<report>
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
      if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(constructor(env).Value())) {
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

// Per environment (main thread or worker_thread): each has its own class.
Napi::FunctionReference& IndexHandle::constructor(Napi::Env env) {
  return *env.GetInstanceData<Napi::FunctionReference>();
}

Napi::Value IndexHandle::CancelBuild(const Napi::CallbackInfo& info) {
  if (build_monitor_) build_monitor_->cancelled = true;
  return info.Env().Undefined();
}

void IndexHandle::build_finished(arroy::BuildJob* failed) {
  build_monitor_.reset();
  if (failed && index_ && !index_->closed()) index_->restore_pending(*failed);
}

// close() cancels a running build and releases the file (once every other
// handle of this process on the same file has closed too).
Napi::Value IndexHandle::Close(const Napi::CallbackInfo& info) {
  if (build_monitor_) build_monitor_->cancelled = true;
  if (index_) index_->close();
  return info.Env().Undefined();
}

}  // namespace arroy_binding
