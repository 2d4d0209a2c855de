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
  std::shared_ptr<Environment> env = Environment::open(path, {options.read_only, options.map_size, options.verify});
  index->name_ = options.name;

  std::optional<CatalogIndex> found = find_index(*env, options.name);
  if (!found) {
    if (options.read_only) fail(ErrorCode::NotAnIndex, "the file has no index named '" + options.name + "'");
    if (!options.dimensions || !options.metric) {
      fail(ErrorCode::InvalidArgument,
           "index '" + options.name + "' does not exist yet: give dimensions and distance to create it");
    }
    found = create_index(*env, options.name,
                         IndexShape{options.dimensions, *options.metric, options.string_keys.value_or(false)});
  }
  const IndexMeta& meta = found->meta;
  check_matches(meta, options);
  index->string_keys_ = meta.key_kind == kStringKeys;
  index->dimensions_ = meta.dimensions;
  index->metric_ = meta.metric;
  index->target_ = std::make_shared<SearchTarget>(std::move(env), found->dbs, meta.instance, meta.dimensions,
                                                  meta.metric, index->string_keys_);
  return index;
}

Index::~Index() { close(); }

void Index::close() {
  session_.view.forget();
  session_.txn.abort();
  if (target_) target_->mark_closed();
  target_.reset();
  pending_.clear();
  keyed_pending_.clear();
  pending_attributes_.clear();
  keyed_pending_attributes_.clear();
  pending_fields_.clear();
}

void Index::check_open() const {
  if (!target_) fail(ErrorCode::Closed, "the index is closed");
}

// One synchronous call's read snapshot, in this object's own session.
class Index::Read {
 public:
  explicit Read(Index& index) : open_(index), scope_(*index.target_, index.session_) {}
  ReadView& view() { return scope_.view(); }

 private:
  // Checks the index is open before the scope dereferences its target.
  struct OpenCheck {
    explicit OpenCheck(const Index& index) { index.check_open(); }
  } open_;
  SnapshotScope scope_;
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
  std::optional<uint32_t> slot = find_slot(session_.txn, target_->dbs().ids, id);
  if (!slot) return false;
  SlotView item = read.view().live_slot(*slot);
  if (item.item_id != id) corrupt("slot " + std::to_string(*slot) + " holds another item");
  out->resize(dimensions_);
  std::memcpy(out->data(), item.values, 4ull * dimensions_);
  return true;
}

bool Index::has(uint32_t id) {
  Read read(*this);
  return find_slot(session_.txn, target_->dbs().ids, id).has_value();
}

std::optional<float> Index::distance(uint32_t a, uint32_t b) {
  Read read(*this);
  std::optional<uint32_t> slot_a = find_slot(session_.txn, target_->dbs().ids, a);
  std::optional<uint32_t> slot_b = find_slot(session_.txn, target_->dbs().ids, b);
  if (!slot_a || !slot_b) return std::nullopt;
  SlotView x = read.view().live_slot(*slot_a);
  SlotView y = read.view().live_slot(*slot_b);
  return metric_distance(target_->kernels(), metric_, x.values, x.norm, y.values, y.norm, dimensions_);
}

std::vector<uint32_t> Index::ids_from(uint64_t from, uint32_t limit) {
  Read read(*this);
  std::vector<uint32_t> out;
  if (from > 0xFFFFFFFFull) return out;
  Cursor cursor(session_.txn, target_->dbs().ids);
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
  return inspect_index(session_.txn, target_->env()->main_database(), target_->dbs(), verify, deep);
}

std::vector<Hit> Index::search(const float* query, size_t length, const SearchRequest& request,
                               std::vector<std::string>* keys, std::vector<Attributes>* attributes) {
  check_open();
  return search_target(*target_, session_, query, length, request, keys, attributes);
}

std::optional<Attributes> Index::attributes_of(uint32_t id) {
  Read read(*this);
  if (!find_slot(session_.txn, target_->dbs().ids, id)) return std::nullopt;
  const FieldDictionary dictionary =
      read_field_dictionary(session_.txn, target_->env()->main_database(), target_->dbs().index);
  std::optional<Attributes> found = read_item_attributes(session_.txn, target_->dbs(), dictionary, id);
  return found ? std::move(*found) : Attributes{};
}

std::optional<std::vector<Hit>> Index::search_by_id(uint32_t id, const SearchRequest& request,
                                                    std::vector<std::string>* keys,
                                                    std::vector<Attributes>* attributes) {
  Read read(*this);
  std::optional<uint32_t> slot = find_slot(session_.txn, target_->dbs().ids, id);
  if (!slot) return std::nullopt;
  SlotView item = read.view().live_slot(*slot);
  if (item.item_id != id) corrupt("slot " + std::to_string(*slot) + " holds another item");
  std::vector<Hit> hits = search_index(read.view(), target_->kernels(), QueryVector{item.values, item.norm}, request);
  read_hit_keys(*target_, session_.txn, hits, keys);
  read_hit_attributes(*target_, session_.txn, hits, attributes);
  return hits;
}

void Index::check_writable(bool keyed) const {
  check_open();
  if (target_->env()->read_only()) fail(ErrorCode::InvalidArgument, "the index was opened read-only");
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
  float norm = l2_norm(target_->kernels(), values, length);
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

void Index::check_attribute_types(Attributes& attributes) {
  check_attributes(attributes);
  if (attributes.empty()) return;
  FieldDictionary committed;
  {
    Read read(*this);
    committed = read_field_dictionary(session_.txn, target_->env()->main_database(), target_->dbs().index);
  }
  std::map<std::string, AttributeType> introduced;
  for (const AttributeField& field : attributes) {
    int known = find_field(committed, field.name);
    auto pending = pending_fields_.find(field.name);
    std::optional<AttributeType> fixed;
    if (known >= 0) fixed = committed[known].type;
    else if (pending != pending_fields_.end()) fixed = pending->second;
    if (fixed && *fixed != field.type) {
      fail(ErrorCode::InvalidArgument, "attribute '" + field.name + "' holds " + attribute_type_name(*fixed) +
                                           " values, not " + attribute_type_name(field.type));
    }
    if (!fixed) introduced[field.name] = field.type;
  }
  pending_fields_.insert(introduced.begin(), introduced.end());
}

void Index::add(uint32_t id, const float* values, size_t length, Attributes attributes) {
  check_writable(false);
  check_vector(values, length);
  check_attribute_types(attributes);
  pending_[id] = std::vector<float>(values, values + length);
  if (attributes.empty()) {
    pending_attributes_.erase(id);
  } else {
    pending_attributes_[id] = std::move(attributes);
  }
}

void Index::remove(uint32_t id) {
  check_writable(false);
  pending_[id] = std::nullopt;
  pending_attributes_.erase(id);
}

void Index::add_key(const std::string& key, const float* values, size_t length, Attributes attributes) {
  check_writable(true);
  check_key(key);
  check_vector(values, length);
  check_attribute_types(attributes);
  keyed_pending_[key] = std::vector<float>(values, values + length);
  if (attributes.empty()) {
    keyed_pending_attributes_.erase(key);
  } else {
    keyed_pending_attributes_[key] = std::move(attributes);
  }
}

void Index::remove_key(const std::string& key) {
  check_writable(true);
  check_key(key);
  keyed_pending_[key] = std::nullopt;
  keyed_pending_attributes_.erase(key);
}

std::optional<uint32_t> Index::id_of_key(const std::string& key) {
  Read read(*this);
  if (key.empty() || key.size() > kMaxKeyBytes) return std::nullopt;
  MDB_val value;
  if (!session_.txn.get(target_->dbs().keys, key, &value)) return std::nullopt;
  return decode_u32(value.mv_data, value.mv_size, "key record");
}

std::vector<std::string> Index::keys_from(const std::string& from, uint32_t limit) {
  Read read(*this);
  std::vector<std::string> out;
  KeyCursor cursor(session_.txn, target_->dbs().keys);
  MDB_val k, v;
  for (bool more = from.empty() ? cursor.first(&k, &v) : cursor.seek(from, &k, &v); more && out.size() < limit;
       more = cursor.next(&k, &v)) {
    out.emplace_back(static_cast<const char*>(k.mv_data), k.mv_size);
  }
  return out;
}

std::unique_ptr<BuildJob> Index::start_build(const BuildOptions& options) {
  check_open();
  if (target_->env()->read_only()) fail(ErrorCode::InvalidArgument, "the index was opened read-only");
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
  AttributeBatch attributes;
  attributes.swap(pending_attributes_);
  KeyedAttributeBatch keyed_attributes;
  keyed_attributes.swap(keyed_pending_attributes_);
  pending_fields_.clear();
  return std::make_unique<BuildJob>(target_->env(), target_->dbs(), target_->instance(), std::move(changes),
                                    std::move(keyed), options, std::move(attributes), std::move(keyed_attributes));
}

void Index::restore_pending(BuildJob& job) {
  // Changes made while the build ran are newer: they win, attributes and all.
  for (auto& change : job.changes()) {
    if (!pending_.emplace(change.first, std::move(change.second)).second) continue;
    auto attributes = job.attributes().find(change.first);
    if (attributes != job.attributes().end()) pending_attributes_[change.first] = std::move(attributes->second);
  }
  for (auto& change : job.keyed_changes()) {
    if (!keyed_pending_.emplace(change.first, std::move(change.second)).second) continue;
    auto attributes = job.keyed_attributes().find(change.first);
    if (attributes != job.keyed_attributes().end()) {
      keyed_pending_attributes_[change.first] = std::move(attributes->second);
    }
  }
}

}  // namespace arroy
