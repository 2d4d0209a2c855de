// Reads a whole index to describe it (stats) and to verify every structural
// invariant (check): the tests run the checker after every build, and users
// can run it on a file they distrust.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph_inspect.h"
#include "items/attribute_inspect.h"
#include "items/index_databases.h"
#include "storage/transaction.h"

namespace arroy {

struct TreeStats {
  uint32_t root = 0;
  uint32_t depth = 0;          // nodes on the longest root-to-bucket path
  uint32_t nodes = 0;
  uint32_t buckets = 0;
  uint32_t splits = 0;         // including random splits
  uint32_t random_splits = 0;  // splits without a usable plane
  uint32_t largest_bucket = 0;
};

struct IndexStats {
  uint32_t items = 0;
  uint32_t dimensions = 0;
  uint32_t bucket_capacity = 0;
  uint32_t slots = 0;       // slot high-water mark
  uint32_t free_slots = 0;
  uint64_t nodes = 0;       // tree nodes stored
  uint64_t seed = 0;
  std::vector<TreeStats> trees;
  GraphStats graph;
  AttributeStats attributes;
};

// Walks every tree, the id map and the slabs. With verify, throws a Corrupt
// error naming the first broken invariant:
// - every tree holds every live slot exactly once, in sorted buckets of at
//   most bucket_capacity slots, and no node is reached twice (within a tree
//   or across trees);
// - every stored node is reached from some root (nothing orphaned);
// - every id maps to a live slot that names that id, and live slots, ids and
//   the item count agree; free slots are free;
// - the neighbour graph's invariants (graph/graph_inspect.h);
// - the attributes' invariants (items/attribute_inspect.h).
// With deep (and verify), first checks every slot's checksum
// (items/slot_checksums.h), so that damage inside a vector, which no
// structural invariant can see, is reported with the items it hit.
IndexStats inspect_index(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs, bool verify,
                         bool deep = false);

}  // namespace arroy
