// The catalog of a file: which named indexes it holds, and creating and
// dropping them. Each index has an IndexId (its databases' number, format.h),
// metadata at meta_key(id), and an instance drawn at random when it is
// created, so a handle on a dropped index notices even when a new index has
// taken its name and id.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "distance/metric.h"
#include "items/index_databases.h"
#include "records/file_records.h"
#include "records/index_meta.h"
#include "storage/environment.h"
#include "storage/transaction.h"

namespace arroy {

// An index of the file, as the catalog and its metadata describe it.
struct CatalogIndex {
  IndexDatabases dbs;
  IndexMeta meta;
};

// What a new index is made of.
struct IndexShape {
  uint32_t dimensions = 0;
  Metric metric = Metric::Euclidean;
  bool string_keys = false;
};

// Throws InvalidArgument unless `name` can name an index (1 to
// kMaxIndexNameBytes bytes).
void check_index_name(const std::string& name);

// The index called `name`, if the file has one.
std::optional<CatalogIndex> find_index(Environment& env, const std::string& name);

// Creates the index `name` with `shape` in its own commit (growing a full
// map). If another process created it meanwhile, returns that one instead.
CatalogIndex create_index(Environment& env, const std::string& name, const IndexShape& shape);

// The metadata of index `index`, read in txn (Corrupt if it is missing).
IndexMeta read_index_meta(const Transaction& txn, MDB_dbi main, IndexId index);

// The names of the indexes a file holds, in creation order.
std::vector<std::string> list_indexes(const std::shared_ptr<Environment>& env);

// Deletes an index and its data in its own commit; false if the file has no
// index of that name. Index objects still open on it fail with NotAnIndex
// from then on.
bool drop_index(const std::shared_ptr<Environment>& env, const std::string& name);

}  // namespace arroy
