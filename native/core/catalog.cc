#include "catalog.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>

#include "defaults.h"
#include "errors.h"
#include "forest/rng.h"
#include "format.h"
#include "limits.h"
#include "records/slot_records.h"
#include "storage/map_growth.h"

namespace arroy {

namespace {

std::vector<CatalogEntry> read_catalog(const Transaction& txn, MDB_dbi main) {
  MDB_val value;
  if (!txn.get(main, std::string(kCatalogKey), &value)) return {};
  return decode_catalog(value.mv_data, value.mv_size);
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

}  // namespace

void check_index_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxIndexNameBytes) {
    fail(ErrorCode::InvalidArgument, "an index name must be 1 to " + std::to_string(kMaxIndexNameBytes) + " bytes");
  }
}

IndexMeta read_index_meta(const Transaction& txn, MDB_dbi main, IndexId index) {
  MDB_val value;
  if (!txn.get(main, meta_key(index), &value)) {
    corrupt("index " + std::to_string(index) + " is in the catalog but has no metadata");
  }
  return decode_index_meta(value.mv_data, value.mv_size);
}

std::optional<CatalogIndex> find_index(Environment& env, const std::string& name) {
  std::optional<IndexId> id;
  IndexMeta meta;
  {
    Transaction txn;
    txn.begin(env, false);
    std::vector<CatalogEntry> catalog = read_catalog(txn, env.main_database());
    if (const CatalogEntry* entry = find_entry(catalog, name)) {
      id = entry->index;
      meta = read_index_meta(txn, env.main_database(), *id);
    }
  }
  if (!id) return std::nullopt;
  // Handles are opened outside the snapshot: LMDB opens databases in a
  // transaction of their own (Environment::database).
  return CatalogIndex{open_index_databases(env, *id), meta};
}

CatalogIndex create_index(Environment& env, const std::string& name, const IndexShape& shape) {
  check_index_name(name);
  if (shape.dimensions == 0 || shape.dimensions > kMaxDimensions) {
    fail(ErrorCode::InvalidArgument, "dimensions must be 1 to " + std::to_string(kMaxDimensions));
  }
  const MDB_dbi main = env.main_database();
  CatalogIndex created;
  write_growing_map(env, [&](Transaction& txn) {
    std::vector<CatalogEntry> catalog = read_catalog(txn, main);
    if (const CatalogEntry* entry = find_entry(catalog, name)) {  // created meanwhile by another process
      const IndexId id = entry->index;
      created.meta = read_index_meta(txn, main, id);
      txn.abort();
      created.dbs = open_index_databases(env, id);
      return true;
    }
    IndexId id = 0;
    while (std::any_of(catalog.begin(), catalog.end(), [&](const CatalogEntry& e) { return e.index == id; })) id++;
    if (id >= kMaxIndexesPerFile) {
      fail(ErrorCode::InvalidArgument, "a file holds at most " + std::to_string(kMaxIndexesPerFile) + " indexes");
    }
    IndexMeta meta;
    meta.instance = new_instance_id();
    meta.dimensions = shape.dimensions;
    meta.metric = shape.metric;
    meta.key_kind = shape.string_keys ? kStringKeys : kIdKeys;
    meta.bucket_capacity = default_bucket_capacity(shape.dimensions);
    meta.slots_per_slab = choose_slots_per_slab(shape.dimensions, env.page_size());
    catalog.push_back({id, name});
    env.create_databases(txn, index_database_specs(id), [&](const std::vector<MDB_dbi>& dbis) {
      txn.put(main, meta_key(id), encode_index_meta(meta));
      txn.put(main, std::string(kCatalogKey), encode_catalog(catalog));
      created.dbs = index_databases_from(id, dbis);
    });
    created.meta = meta;
    return true;
  });
  return created;
}

std::vector<std::string> list_indexes(const std::shared_ptr<Environment>& env) {
  Transaction txn;
  txn.begin(*env, false);
  std::vector<std::string> names;
  for (const CatalogEntry& e : read_catalog(txn, env->main_database())) names.push_back(e.name);
  return names;
}

bool drop_index(const std::shared_ptr<Environment>& env, const std::string& name) {
  std::optional<CatalogIndex> found = find_index(*env, name);
  if (!found) return false;
  const IndexId id = found->dbs.index;
  const MDB_dbi main = env->main_database();
  return write_growing_map(*env, [&](Transaction& txn) {
    std::vector<CatalogEntry> catalog = read_catalog(txn, main);
    auto it = std::find_if(catalog.begin(), catalog.end(), [&](const CatalogEntry& e) { return e.name == name; });
    if (it == catalog.end() || it->index != id) {  // dropped or replaced meanwhile
      txn.abort();
      return false;
    }
    catalog.erase(it);
    txn.put(main, std::string(kCatalogKey), encode_catalog(catalog));
    for (const std::string& key : index_records_keys(id)) txn.del(main, key);
    // The emptied databases stay, to be reused by the next index given this id.
    for (MDB_dbi dbi : found->dbs.all()) txn.clear(dbi);
    return true;
  });
}

}  // namespace arroy
