#include "index.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <cmath>
#include <cstring>
#include <thread>

#include "defaults.h"
#include "errors.h"
#include "rng.h"

namespace arroy {

namespace {

// Holds a reusable read snapshot for the duration of one call.
class ReadScope {
 public:
  ReadScope(Transaction& txn, const Environment& env) : txn_(txn) { txn_.begin(env, false); }
  ~ReadScope() { txn_.reset(); }

 private:
  Transaction& txn_;
};

std::vector<CatalogEntry> read_catalog(const Transaction& txn, MDB_dbi main) {
  MDB_val value;
  if (!txn.get(main, std::string(kCatalogKey), &value)) return {};
  return decode_catalog(value.mv_data, value.mv_size);
}

IndexMeta read_index_meta(const Transaction& txn, MDB_dbi main, IndexId index) {
  MDB_val value;
  if (!txn.get(main, meta_key(index), &value)) {
    corrupt("index " + std::to_string(index) + " is in the catalog but has no metadata");
  }
  return decode_index_meta(value.mv_data, value.mv_size);
}

const CatalogEntry* find_entry(const std::vector<CatalogEntry>& catalog, const std::string& name) {
  for (const CatalogEntry& e : catalog) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

// Random enough that a re-created index never matches the one it replaces.
uint64_t new_instance_id() {
  static std::atomic<uint64_t> counter{0};
  uint64_t state = std::random_device{}() ^ (uint64_t(std::random_device{}()) << 32) ^
                   uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) ^ counter.fetch_add(1);
  return splitmix64(state);
}

void check_matches(const IndexMeta& meta, const OpenOptions& options) {
  if (options.dimensions && options.dimensions != meta.dimensions) {
    fail(ErrorCode::DimensionMismatch, "index '" + options.name + "' has " + std::to_string(meta.dimensions) +
                                           " dimensions, not " + std::to_string(options.dimensions));
  }
  if (options.metric && *options.metric != meta.metric) {
    fail(ErrorCode::DistanceMismatch, "index '" + options.name + "' uses the " + metric_name(meta.metric) +
                                          " distance, not " + metric_name(*options.metric));
  }
}

}  // namespace

std::unique_ptr<Index> Index::open(const std::string& path, const OpenOptions& options) {
  if (options.name.empty() || options.name.size() > kMaxIndexNameBytes) {
    fail(ErrorCode::InvalidArgument, "an index name must be 1 to " + std::to_string(kMaxIndexNameBytes) + " bytes");
  }
  if (options.dimensions > kMaxDimensions) {
    fail(ErrorCode::InvalidArgument, "dimensions must be at most " + std::to_string(kMaxDimensions));
  }
  std::unique_ptr<Index> index(new Index());
  index->env_ = Environment::open(path, {options.read_only, options.map_size});
  index->name_ = options.name;
  index->kernels_ = &active_kernels();

  Environment& env = *index->env_;
  const MDB_dbi main = env.main_database();
  std::optional<IndexMeta> meta;
  IndexId id = 0;
  {
    ReadScope scope(index->reader_, env);
    std::vector<CatalogEntry> catalog = read_catalog(index->reader_, main);
    if (const CatalogEntry* entry = find_entry(catalog, options.name)) {
      id = entry->index;
      meta = read_index_meta(index->reader_, main, id);
    }
  }
  auto databases_of = [&](IndexId i) { return open_index_databases(env, i); };
  if (meta) {
    index->dbs_ = databases_of(id);
  } else {
    if (options.read_only) fail(ErrorCode::NotAnIndex, "the file has no index named '" + options.name + "'");
    if (!options.dimensions || !options.metric) {
      fail(ErrorCode::InvalidArgument,
           "index '" + options.name + "' does not exist yet: give dimensions and distance to create it");
    }
    write_growing_map(env, [&](Transaction& txn) {
      std::vector<CatalogEntry> catalog = read_catalog(txn, main);
      if (const CatalogEntry* entry = find_entry(catalog, options.name)) {  // created meanwhile by another process
        id = entry->index;
        meta = read_index_meta(txn, main, id);
        txn.abort();
        index->dbs_ = databases_of(id);
        return true;
      }
      id = 0;
      while (std::any_of(catalog.begin(), catalog.end(), [&](const CatalogEntry& e) { return e.index == id; })) id++;
      if (id >= kMaxIndexesPerFile) {
        fail(ErrorCode::InvalidArgument, "a file holds at most " + std::to_string(kMaxIndexesPerFile) + " indexes");
      }
      meta.emplace();
      meta->instance = new_instance_id();
      meta->dimensions = options.dimensions;
      meta->metric = *options.metric;
      meta->key_kind = options.string_keys.value_or(false) ? kStringKeys : kIdKeys;
      meta->bucket_capacity = default_bucket_capacity(options.dimensions);
      meta->slots_per_slab = choose_slots_per_slab(options.dimensions, env.page_size());
      catalog.push_back({id, options.name});
      env.create_databases(txn, index_database_specs(id), [&](const std::vector<MDB_dbi>& dbis) {
        txn.put(main, meta_key(id), encode_index_meta(*meta));
        txn.put(main, std::string(kCatalogKey), encode_catalog(catalog));
        index->dbs_ = IndexDatabases{id, dbis[0], dbis[1], dbis[2], dbis[3], dbis[4]};
      });
      return true;
    });
  }
  check_matches(*meta, options);
  index->instance_ = meta->instance;
  index->string_keys_ = meta->key_kind == kStringKeys;
  if (options.string_keys && *options.string_keys != index->string_keys_) {
    fail(ErrorCode::InvalidArgument, "index '" + options.name + "' addresses items by " +
                                         (index->string_keys_ ? "string keys" : "numeric ids"));
  }
  index->dimensions_ = meta->dimensions;
  index->metric_ = meta->metric;
  return index;
}

Index::~Index() { close(); }

void Index::close() {
  view_.forget();
  reader_.abort();
  env_.reset();
  pending_.clear();
  keyed_pending_.clear();
}

void Index::check_open() const {
  if (!env_) fail(ErrorCode::Closed, "the index is closed");
}

// One call's read snapshot: renews the reusable read transaction, points the
// snapshot view at it, and resets it (keeping the reader slot) at the end, so
// no snapshot outlives a synchronous call.
class Index::Read {
 public:
  explicit Read(Index& index) : index_(index) {
    index_.check_open();
    index_.reader_.begin(*index_.env_, false);
    try {
      index_.view_.attach(index_.reader_, index_.env_->main_database(), index_.dbs_);
      const IndexMeta& meta = index_.view_.meta();
      if (meta.instance != index_.instance_) fail(ErrorCode::NotAnIndex, "the index was dropped");
      if (meta.dimensions != index_.dimensions_ || meta.metric != index_.metric_) {
        corrupt("index metadata changed its dimensions or distance while open");
      }
    } catch (...) {
      index_.reader_.reset();
      throw;
    }
  }
  ~Read() { index_.reader_.reset(); }
  SnapshotView& view() { return index_.view_; }

 private:
  Index& index_;
};

uint32_t Index::size() {
  Read read(*this);
  return read.view().meta().item_count;
}

uint32_t Index::tree_count() {
  Read read(*this);
  return static_cast<uint32_t>(read.view().meta().roots.size());
}

bool Index::get(uint32_t id, std::vector<float>* out) {
  Read read(*this);
  std::optional<uint32_t> slot = find_slot(reader_, dbs_.ids, id);
  if (!slot) return false;
  SlotView item = read.view().live_slot(*slot);
  if (item.item_id != id) corrupt("slot " + std::to_string(*slot) + " holds another item");
  out->resize(dimensions_);
  std::memcpy(out->data(), item.values, 4ull * dimensions_);
  return true;
}

bool Index::has(uint32_t id) {
  Read read(*this);
  return find_slot(reader_, dbs_.ids, id).has_value();
}

std::optional<float> Index::distance(uint32_t a, uint32_t b) {
  Read read(*this);
  std::optional<uint32_t> slot_a = find_slot(reader_, dbs_.ids, a);
  std::optional<uint32_t> slot_b = find_slot(reader_, dbs_.ids, b);
  if (!slot_a || !slot_b) return std::nullopt;
  SlotView x = read.view().live_slot(*slot_a);
  SlotView y = read.view().live_slot(*slot_b);
  return metric_distance(*kernels_, metric_, x.values, x.norm, y.values, y.norm, dimensions_);
}

std::vector<uint32_t> Index::ids_from(uint64_t from, uint32_t limit) {
  Read read(*this);
  std::vector<uint32_t> out;
  if (from > 0xFFFFFFFFull) return out;
  Cursor cursor(reader_, dbs_.ids);
  MDB_val value;
  uint32_t id = static_cast<uint32_t>(from);
  for (bool ok = cursor.seek(&id, &value); ok && out.size() < limit; ok = cursor.next(&id, &value)) out.push_back(id);
  return out;
}

std::optional<uint64_t> Index::seed() {
  Read read(*this);
  if (read.view().meta().roots.empty()) return std::nullopt;
  return read.view().meta().seed;
}

IndexStats Index::inspect(bool verify) {
  Read read(*this);
  return inspect_index(reader_, env_->main_database(), dbs_, verify);
}

std::vector<Hit> Index::search(const float* query, uint32_t k, uint64_t search_k, std::vector<std::string>* keys,
                               const Query& options) {
  check_open();
  for (uint32_t i = 0; i < dimensions_; i++) {
    if (!std::isfinite(query[i])) fail(ErrorCode::InvalidArgument, "the query holds a non-finite value");
  }
  float norm = l2_norm(*kernels_, query, dimensions_);
  if (!std::isfinite(norm)) fail(ErrorCode::InvalidArgument, "the query's norm overflows a float");
  if (metric_ == Metric::Cosine && !(norm > 0)) {
    fail(ErrorCode::InvalidArgument, "a zero vector has no cosine distance");
  }
  Read read(*this);
  std::vector<Hit> hits = run_query(read.view(), {query, norm, k, search_k}, options);
  fill_keys(hits, keys);
  return hits;
}

std::vector<Hit> Index::run_query(SnapshotView& view, SearchRequest request, const Query& options) {
  if (options.filter) {
    const IndexMeta& meta = view.meta();
    request.filter = &options.filter->resolve(reader_, dbs_, meta.instance, meta.slot_count);
  }
  request.strategy = options.strategy;
  return search_forest(view, *kernels_, request, options.stats);
}

std::optional<std::vector<Hit>> Index::search_by_id(uint32_t id, uint32_t k, uint64_t search_k,
                                                    std::vector<std::string>* keys, const Query& options) {
  Read read(*this);
  std::optional<uint32_t> slot = find_slot(reader_, dbs_.ids, id);
  if (!slot) return std::nullopt;
  SlotView item = read.view().live_slot(*slot);
  if (item.item_id != id) corrupt("slot " + std::to_string(*slot) + " holds another item");
  std::vector<Hit> hits = run_query(read.view(), {item.values, item.norm, k, search_k}, options);
  fill_keys(hits, keys);
  return hits;
}

void Index::check_writable(bool keyed) const {
  check_open();
  if (env_->read_only()) fail(ErrorCode::InvalidArgument, "the index was opened read-only");
  if (keyed != string_keys_) {
    fail(ErrorCode::InvalidArgument, string_keys_ ? "this index addresses items by string keys, not numeric ids"
                                                  : "this index addresses items by numeric ids, not string keys");
  }
}

void Index::check_vector(const float* values, size_t length) const {
  if (length != dimensions_) {
    fail(ErrorCode::DimensionMismatch,
         "the vector has " + std::to_string(length) + " values, the index " + std::to_string(dimensions_));
  }
  for (size_t i = 0; i < length; i++) {
    if (!std::isfinite(values[i])) {
      fail(ErrorCode::InvalidArgument, "the vector holds a non-finite value at position " + std::to_string(i));
    }
  }
  float norm = l2_norm(*kernels_, values, length);
  if (!std::isfinite(norm)) fail(ErrorCode::InvalidArgument, "the vector's norm overflows a float");
  if (metric_ == Metric::Cosine && !(norm > 0)) {
    fail(ErrorCode::InvalidArgument, "a zero vector has no cosine distance");
  }
}

namespace {
void check_key(const std::string& key) {
  if (key.empty() || key.size() > kMaxKeyBytes) {
    fail(ErrorCode::InvalidArgument, "a key must be 1 to " + std::to_string(kMaxKeyBytes) + " bytes of UTF-8");
  }
}
}  // namespace

void Index::add(uint32_t id, const float* values, size_t length) {
  check_writable(false);
  check_vector(values, length);
  pending_[id] = std::vector<float>(values, values + length);
}

void Index::remove(uint32_t id) {
  check_writable(false);
  pending_[id] = std::nullopt;
}

void Index::add_key(const std::string& key, const float* values, size_t length) {
  check_writable(true);
  check_key(key);
  check_vector(values, length);
  keyed_pending_[key] = std::vector<float>(values, values + length);
}

void Index::remove_key(const std::string& key) {
  check_writable(true);
  check_key(key);
  keyed_pending_[key] = std::nullopt;
}

std::optional<uint32_t> Index::id_of_key(const std::string& key) {
  Read read(*this);
  if (key.empty() || key.size() > kMaxKeyBytes) return std::nullopt;
  MDB_val value;
  if (!reader_.get(dbs_.keys, key, &value)) return std::nullopt;
  return decode_u32(value.mv_data, value.mv_size, "key record");
}

std::vector<std::string> Index::keys_from(const std::string& from, uint32_t limit) {
  Read read(*this);
  std::vector<std::string> out;
  KeyCursor cursor(reader_, dbs_.keys);
  MDB_val k, v;
  for (bool more = from.empty() ? cursor.first(&k, &v) : cursor.seek(from, &k, &v); more && out.size() < limit;
       more = cursor.next(&k, &v)) {
    out.emplace_back(static_cast<const char*>(k.mv_data), k.mv_size);
  }
  return out;
}

void Index::fill_keys(const std::vector<Hit>& hits, std::vector<std::string>* keys) {
  if (!keys) return;
  keys->clear();
  for (const Hit& hit : hits) {
    MDB_val value;
    if (!reader_.get(dbs_.key_names, hit.id, &value)) corrupt("item " + std::to_string(hit.id) + " has no key");
    if (value.mv_size == 0 || value.mv_size > kMaxKeyBytes) corrupt("a key name of " + std::to_string(value.mv_size) + " bytes");
    keys->emplace_back(static_cast<const char*>(value.mv_data), value.mv_size);
  }
}

std::unique_ptr<BuildJob> Index::start_build(const BuildOptions& options) {
  check_open();
  if (env_->read_only()) fail(ErrorCode::InvalidArgument, "the index was opened read-only");
  if (options.trees > kMaxTrees) fail(ErrorCode::InvalidArgument, "trees must be at most " + std::to_string(kMaxTrees));
  if (options.bucket_capacity &&
      (options.bucket_capacity < kMinBucketCapacity || options.bucket_capacity > kMaxBucketCapacity)) {
    fail(ErrorCode::InvalidArgument, "bucketCapacity must be between " + std::to_string(kMinBucketCapacity) +
                                         " and " + std::to_string(kMaxBucketCapacity));
  }
  ChangeBatch changes;
  changes.swap(pending_);
  KeyedChangeBatch keyed;
  keyed.swap(keyed_pending_);
  return std::make_unique<BuildJob>(env_, dbs_, instance_, std::move(changes), std::move(keyed), options);
}

void Index::restore_pending(BuildJob& job) {
  // Changes made while the build ran are newer: they win.
  for (auto& change : job.changes()) pending_.emplace(change.first, std::move(change.second));
  for (auto& change : job.keyed_changes()) keyed_pending_.emplace(change.first, std::move(change.second));
}

std::vector<std::string> list_indexes(const std::shared_ptr<Environment>& env) {
  Transaction txn;
  txn.begin(*env, false);
  std::vector<std::string> names;
  for (const CatalogEntry& e : read_catalog(txn, env->main_database())) names.push_back(e.name);
  return names;
}

bool drop_index(const std::shared_ptr<Environment>& env, const std::string& name) {
  const MDB_dbi main = env->main_database();
  std::optional<IndexId> id;
  {
    Transaction txn;
    txn.begin(*env, false);
    std::vector<CatalogEntry> catalog = read_catalog(txn, main);
    if (const CatalogEntry* entry = find_entry(catalog, name)) id = entry->index;
  }
  if (!id) return false;
  // Handles first: LMDB opens databases outside the write transaction.
  IndexDatabases dbs = open_index_databases(*env, *id);
  std::vector<MDB_dbi> dbis{dbs.slabs, dbs.ids, dbs.nodes, dbs.keys, dbs.key_names};
  return write_growing_map(*env, [&](Transaction& txn) {
    std::vector<CatalogEntry> catalog = read_catalog(txn, main);
    auto it = std::find_if(catalog.begin(), catalog.end(), [&](const CatalogEntry& e) { return e.name == name; });
    if (it == catalog.end() || it->index != *id) {  // dropped or replaced meanwhile
      txn.abort();
      return false;
    }
    catalog.erase(it);
    txn.put(main, std::string(kCatalogKey), encode_catalog(catalog));
    txn.del(main, meta_key(*id));
    txn.del(main, free_slots_key(*id));
    // The emptied databases stay, to be reused by the next index given this id.
    for (MDB_dbi dbi : dbis) txn.clear(dbi);
    return true;
  });
}

}  // namespace arroy
