#include "index_handle.h"

#include "addon_data.h"
#include "attribute_convert.h"
#include "js_convert.h"
#include "js_errors.h"

namespace arroy_binding {

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
                         InstanceMethod<&IndexHandle::GetAttributes>("getAttributes"),
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
                         InstanceMethod<&IndexHandle::SearchAsync>("searchAsync"),
                         InstanceMethod<&IndexHandle::SearchBatch>("searchBatch"),
                         InstanceMethod<&IndexHandle::Stats>("stats"),
                         InstanceMethod<&IndexHandle::Check>("check"),
                         InstanceMethod<&IndexHandle::Build>("build"),
                         InstanceMethod<&IndexHandle::CancelBuild>("cancelBuild"),
                         InstanceMethod<&IndexHandle::Close>("close"),
                         StaticMethod<&IndexHandle::BuildTogether>("buildTogether"),
                     });
  AddonData::of(env).index_handle = Napi::Persistent(cls);
  return cls;
}

// new IndexHandle(path, { name?, dimensions?, distance?, readOnly?, mapSize? })
IndexHandle::IndexHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<IndexHandle>(info) {
  Napi::Env env = info.Env();
  guard(env, [&] {
    std::string path = to_path(env, info[0]);
    if (!info[1].IsObject()) throw_invalid(env, "options must be an object");
    Napi::Object o = info[1].As<Napi::Object>();
    arroy::OpenOptions options;
    if (has_option(o, "name")) {
      options.name = to_string(env, o.Get("name"), "name");
    }
    if (has_option(o, "dimensions")) {
      options.dimensions = to_u32(env, o.Get("dimensions"), "dimensions");
    }
    if (has_option(o, "distance")) {
      std::string name = to_string(env, o.Get("distance"), "distance");
      arroy::Metric metric;
      if (!arroy::parse_metric(name, &metric)) throw_invalid(env, "unknown distance '" + name + "'");
      options.metric = metric;
    }
    if (has_option(o, "readOnly")) options.read_only = o.Get("readOnly").ToBoolean();
    if (has_option(o, "keys")) {
      Napi::Value keys = o.Get("keys");
      std::string kind = keys.IsString() ? keys.As<Napi::String>().Utf8Value() : "";
      if (kind != "string" && kind != "number") throw_invalid(env, "keys must be 'number' or 'string'");
      options.string_keys = kind == "string";
    }
    if (has_option(o, "mapSize")) options.map_size = to_u53(env, o.Get("mapSize"), "mapSize");
    if (has_option(o, "verify")) options.verify = o.Get("verify").ToBoolean();
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

// add(id, Float32Array, attributes?)
Napi::Value IndexHandle::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] {
    arroy::Index& idx = index(env);
    uint32_t id = to_u32(env, info[0], "id");
    Napi::Float32Array v = to_float32_array(env, info[1], "vector");
    idx.add(id, v.Data(), v.ElementLength(), to_attributes(env, info[2]));
  });
  return env.Undefined();
}

// getAttributes(id) -> object ({} for an item without), or undefined when id is not stored
Napi::Value IndexHandle::GetAttributes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    std::optional<arroy::Attributes> attributes = index(env).attributes_of(to_u32(env, info[0], "id"));
    if (!attributes) return env.Undefined();
    return attributes_to_js(env, *attributes);
  });
}

Napi::Value IndexHandle::Remove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] { index(env).remove(to_u32(env, info[0], "id")); });
  return env.Undefined();
}

Napi::Value IndexHandle::Get(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    uint32_t id = to_u32(env, info[0], "id");
    std::vector<float> values;
    if (!idx.get(id, &values)) return env.Undefined();
    Napi::Float32Array out = Napi::Float32Array::New(env, values.size());
    std::copy(values.begin(), values.end(), out.Data());
    return out;
  });
}

Napi::Value IndexHandle::StringKeys(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), index(info.Env()).string_keys());
}

Napi::Value IndexHandle::AddKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] {
    arroy::Index& idx = index(env);
    std::string key = to_string(env, info[0], "key");
    Napi::Float32Array v = to_float32_array(env, info[1], "vector");
    idx.add_key(key, v.Data(), v.ElementLength(), to_attributes(env, info[2]));
  });
  return env.Undefined();
}

Napi::Value IndexHandle::RemoveKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] { index(env).remove_key(to_string(env, info[0], "key")); });
  return env.Undefined();
}

Napi::Value IndexHandle::IdOfKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    std::optional<uint32_t> id = index(env).id_of_key(to_string(env, info[0], "key"));
    if (!id) return env.Undefined();
    return Napi::Number::New(env, *id);
  });
}

// keysFrom(from, limit) -> string[] of committed keys >= from, in byte order
Napi::Value IndexHandle::KeysFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    std::string from = to_string(env, info[0], "from");
    std::vector<std::string> keys = idx.keys_from(from, to_u32(env, info[1], "limit"));
    Napi::Array out = Napi::Array::New(env, keys.size());
    for (size_t i = 0; i < keys.size(); i++) out[static_cast<uint32_t>(i)] = Napi::String::New(env, keys[i]);
    return out;
  });
}

Napi::Value IndexHandle::Has(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&] { return Napi::Boolean::New(env, index(env).has(to_u32(env, info[0], "id"))); });
}

// distance(a, b) -> number, or undefined when either id is not stored
Napi::Value IndexHandle::Distance(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    std::optional<float> d = idx.distance(to_u32(env, info[0], "a"), to_u32(env, info[1], "b"));
    if (!d) return env.Undefined();
    return Napi::Number::New(env, *d);
  });
}

// idsFrom(from, limit) -> Uint32Array of stored ids >= from, ascending
Napi::Value IndexHandle::IdsFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    arroy::Index& idx = index(env);
    uint64_t from = to_u53(env, info[0], "from");
    std::vector<uint32_t> ids = idx.ids_from(from, to_u32(env, info[1], "limit"));
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
    if (stats.graph.present) {
      const arroy::GraphStats& g = stats.graph;
      Napi::Object graph = Napi::Object::New(env);
      graph.Set("degree", Napi::Number::New(env, g.degree));
      graph.Set("edges", Napi::Number::New(env, double(g.edges)));
      graph.Set("staleEdges", Napi::Number::New(env, double(g.stale_edges)));
      graph.Set("linkedItems", Napi::Number::New(env, g.linked_items));
      graph.Set("changesSinceCalibration", Napi::Number::New(env, g.changes));
      Napi::Array curve = Napi::Array::New(env, g.curve.size());
      for (size_t i = 0; i < g.curve.size(); i++) {
        Napi::Object point = Napi::Object::New(env);
        point.Set("ef", Napi::Number::New(env, g.curve[i].ef));
        point.Set("recall", Napi::Number::New(env, g.curve[i].recall));
        point.Set("stdError", Napi::Number::New(env, g.curve[i].std_error));
        point.Set("scored", Napi::Number::New(env, g.curve[i].scored));
        curve[static_cast<uint32_t>(i)] = point;
      }
      graph.Set("curve", curve);
      graph.Set("curveAnswers", Napi::Number::New(env, g.answers));
      out.Set("graph", graph);
    }
    Napi::Object attributes = Napi::Object::New(env);
    Napi::Object fields = Napi::Object::New(env);
    for (const arroy::FieldDef& f : stats.attributes.fields) {
      fields.Set(f.name, Napi::String::New(env, arroy::attribute_type_name(f.type)));
    }
    attributes.Set("fields", fields);
    attributes.Set("items", Napi::Number::New(env, double(stats.attributes.items)));
    attributes.Set("postings", Napi::Number::New(env, double(stats.attributes.postings)));
    out.Set("attributes", attributes);
    return out;
  });
}

// check(deep?: boolean)
Napi::Value IndexHandle::Check(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  guard(env, [&] { index(env).inspect(true, info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value()); });
  return env.Undefined();
}

// close() cancels a running build and releases the file (once every other
// handle of this process on the same file has closed too).
Napi::Value IndexHandle::Close(const Napi::CallbackInfo& info) {
  if (build_monitor_) build_monitor_->cancelled = true;
  if (index_) index_->close();
  return info.Env().Undefined();
}

}  // namespace arroy_binding
