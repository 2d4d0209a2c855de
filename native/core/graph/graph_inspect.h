// Describes and checks an index's neighbour graph, for stats() and check().
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "items/index_databases.h"
#include "records/graph_records.h"
#include "records/index_meta.h"
#include "storage/transaction.h"

namespace arroy {

struct GraphStats {
  bool present = false;
  uint32_t degree = 0;
  uint64_t edges = 0;
  uint64_t stale_edges = 0;      // edges to slots that hold no live item (skipped by searches)
  uint32_t linked_items = 0;     // live items with at least one edge
  uint32_t changes = 0;          // items changed since the curve was measured
  uint32_t answers = 0;          // held-out answers behind each curve point
  std::vector<CurvePoint> curve;
};

// With verify, throws Corrupt on the first broken invariant: every links
// record belongs to a live slot and holds at most `degree` edges to slots
// below the slot count, no edge is a self-loop, the entry is a live slot,
// and every live item of an index with more than one item has edges.
GraphStats inspect_graph(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs, const IndexMeta& meta,
                         const std::function<bool(uint32_t)>& live, bool verify);

}  // namespace arroy
