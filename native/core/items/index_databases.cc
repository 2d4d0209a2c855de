#include "items/index_databases.h"

#include "errors.h"

namespace arroy {

std::vector<DatabaseSpec> index_database_specs(IndexId index) {
  return {{slabs_database(index), true},
          {ids_database(index), true},
          {nodes_database(index), true},
          {keys_database(index), false},
          {key_names_database(index), true},
          {links_database(index), true},
          {attributes_database(index), true},
          {postings_database(index), false}};
}

IndexDatabases index_databases_from(IndexId index, const std::vector<MDB_dbi>& handles) {
  if (handles.size() != kDatabasesPerIndex) fail(ErrorCode::Storage, "an index has eight databases");
  return IndexDatabases{index,      handles[0], handles[1], handles[2], handles[3],
                        handles[4], handles[5], handles[6], handles[7]};
}

IndexDatabases open_index_databases(Environment& env, IndexId index) {
  std::vector<MDB_dbi> handles;
  for (const DatabaseSpec& spec : index_database_specs(index)) handles.push_back(env.database(spec));
  return index_databases_from(index, handles);
}

}  // namespace arroy
