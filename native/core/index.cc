#include "index.h"

#include <cmath>
#include <cstring>

#include "catalog.h"
#include "errors.h"
#include "items/slots.h"
#include "limits.h"
#include "records/u32_records.h"
#include "storage/cursor.h"

namespace arroy {

namespace {

void check_matches(const IndexMeta& meta, const OpenOptions& options) {
  if (options.dimensions && options.dimensions != meta.dimensions) {
    fail(ErrorCode::DimensionMismatch, "index '" + options.name + "' has " + std::to_string(meta.dimensions) +
                                           " dimensions, not " + std::to_string(options.dimensions));
  }
  if (options.metric && *options.metric != meta.metric) {
    fail(ErrorCode::DistanceMismatch, "index '" + options.name + "' uses the " + metric_name(meta.metric) +
                                          " distance, not " + metric_name(*options.metric));
  }
  const bool string_keys = meta.key_kind == kStringKeys;
  if (options.string_keys && *options.string_keys != string_keys) {
    fail(ErrorCode::InvalidArgument,
         "index '" + options.name + "' addresses items by " + (string_keys ? "string keys" : "numeric ids"));
  }
}

}  // namespace

std::unique_ptr<Index> Index::open(const std::string& path, const OpenOptions& options) {
  check_index_name(options.name);
  if (options.dimensions > kMaxDimensions) {
    fail(ErrorCode::InvalidArgument, "dimensions must be at most " + std::to_string(kMaxDimensions));
  }
  std::unique_ptr<Index> index(new Index());
  index->env_ = Environment::open(path, {options.read_only, options.map_size, options.verify});
  index->name_ = options.name;
  index->kernels_ = &active_kernels();

  std::optional<CatalogIndex> found = find_index(*index->env_, options.name);
  if (!found) {
    if (options.read_only) fail(ErrorCode::NotAnIndex, "the file has no index named '" + options.name + "'");
    if (!options.dimensions || !options.metric) {
      fail(ErrorCode::InvalidArgument,
           "index '" + options.name + "' does not exist yet: give dimensions and distance to create it");
    }
    found = create_index(*index->env_, options.name,
                         IndexShape{options.dimensions, *options.metric, options.string_keys.value_or(false)});
  }
  const IndexMeta& meta = found->meta;
  check_matches(meta, options);
  index->dbs_ = found->dbs;
  index->instance_ = meta.instance;
  index->string_keys_ = meta.key_kind == kStringKeys;
  index->dimensions_ = meta.dimensions;
  index->metric_ = meta.metric;
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
  ReadView& view() { return index_.view_; }

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

IndexStats Index::inspect(bool verify, bool deep) {
  Read read(*this);
  return inspect_index(reader_, env_->main_database(), dbs_, verify, deep);
}

std::vector<Hit> Index::search(const float* query, size_t length, const SearchRequest& request,
                               std::vector<std::string>* keys) {
  check_open();
  if (length != dimensions_) {
    fail(ErrorCode::DimensionMismatch,
         "the query has " + std::to_string(length) + " values, the index " + std::to_string(dimensions_));
  }
  for (uint32_t i = 0; i < dimensions_; i++) {
    if (!std::isfinite(query[i])) fail(ErrorCode::InvalidArgument, "the query holds a non-finite value");
  }
  float norm = l2_norm(*kernels_, query, dimensions_);
  if (!std::isfinite(norm)) fail(ErrorCode::InvalidArgument, "the query's norm overflows a float");
  if (metric_ == Metric::Cosine && !(norm > 0)) {
    fail(ErrorCode::InvalidArgument, "a zero vector has no cosine distance");
  }
  Read read(*this);
  std::vector<Hit> hits = search_index(read.view(), *kernels_, QueryVector{query, norm}, request);
  fill_keys(hits, keys);
  return hits;
}

std::optional<std::vector<Hit>> Index::search_by_id(uint32_t id, const SearchRequest& request,
                                                    std::vector<std::string>* keys) {
  Read read(*this);
  std::optional<uint32_t> slot = find_slot(reader_, dbs_.ids, id);
  if (!slot) return std::nullopt;
  SlotView item = read.view().live_slot(*slot);
  if (item.item_id != id) corrupt("slot " + std::to_string(*slot) + " holds another item");
  std::vector<Hit> hits = search_index(read.view(), *kernels_, QueryVector{item.values, item.norm}, request);
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
  if (options.threads > kMaxThreads) {
    fail(ErrorCode::InvalidArgument, "threads must be at most " + std::to_string(kMaxThreads));
  }
  if (options.bucket_capacity &&
      (options.bucket_capacity < kMinBucketCapacity || options.bucket_capacity > kMaxBucketCapacity)) {
    fail(ErrorCode::InvalidArgument, "bucketCapacity must be an integer from " + std::to_string(kMinBucketCapacity) +
                                         " to " + std::to_string(kMaxBucketCapacity) + ", got " +
                                         std::to_string(options.bucket_capacity));
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

}  // namespace arroy
