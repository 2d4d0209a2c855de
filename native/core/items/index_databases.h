// The LMDB databases of one index (format.h names them) and how they are
// opened. Every part of the core that reads or writes an index does it
// through these handles.
#pragma once

#include <lmdb.h>

#include <vector>

#include "format.h"
#include "storage/environment.h"

namespace arroy {

// The LMDB databases of one index.
struct IndexDatabases {
  IndexId index = 0;
  MDB_dbi slabs = 0;
  MDB_dbi ids = 0;
  MDB_dbi nodes = 0;
  MDB_dbi keys = 0;       // string key -> id
  MDB_dbi key_names = 0;  // id -> string key
  MDB_dbi links = 0;      // slot -> neighbour slots (graph/)
  MDB_dbi attributes = 0; // id -> attribute record
  MDB_dbi postings = 0;   // (field, value, slot) postings of the attributes

  // Every handle, in index_database_specs() order.
  std::vector<MDB_dbi> all() const { return {slabs, ids, nodes, keys, key_names, links, attributes, postings}; }
};

// The specs of index `index`'s databases, in IndexDatabases order.
std::vector<DatabaseSpec> index_database_specs(IndexId index);
// The databases of index `index` from their handles, in that order.
IndexDatabases index_databases_from(IndexId index, const std::vector<MDB_dbi>& handles);
// Opens (or finds) the databases of an existing index.
IndexDatabases open_index_databases(Environment& env, IndexId index);

}  // namespace arroy
