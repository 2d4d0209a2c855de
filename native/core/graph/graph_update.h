// Keeping an index's neighbour graph in step with its items, inside the build
// transaction that changes them (forest/build_job.cc calls these).
//
// A first build (or a rebuild) links every live item afresh. Later builds
// edit the stored graph: the removed items' slots leave it, with the lists
// that pointed at them repaired from their neighbours' edges, and the new
// items are linked as a build would link them, so the cost follows the
// batch. The recall curve is measured again after a full build, and after
// incremental ones once their changes add up to kRecalibrateFraction of the
// items.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "distance/kernels.h"
#include "forest/build_monitor.h"
#include "items/index_databases.h"
#include "records/graph_records.h"
#include "records/index_meta.h"
#include "storage/transaction.h"

namespace arroy {

struct GraphContext {
  Transaction& txn;
  MDB_dbi main;
  const IndexDatabases& dbs;
  const IndexMeta& meta;  // after this build's changes
  const Kernels& kernels;
  uint64_t seed;
  unsigned threads;
};

// The graph record stored for the index, if it has a graph.
std::optional<GraphRecord> read_graph_record(const Transaction& txn, MDB_dbi main, IndexId index);
// Removes the index's graph.
void drop_graph(Transaction& txn, MDB_dbi main, const IndexDatabases& dbs);

// Links every live item and stores the edges; returns the new record (no
// curve yet: see calibrate_graph).
GraphRecord rebuild_graph(const GraphContext& c, uint32_t degree, BuildMonitor& monitor);
// Applies one incremental build's changes to the stored graph: `removed`
// holds the slots whose items left (or were overwritten), `inserted` the
// slots of the items stored by this build.
GraphRecord update_graph(const GraphContext& c, GraphRecord record, const std::vector<uint32_t>& removed,
                         const std::vector<uint32_t>& inserted, BuildMonitor& monitor);
// Stores the record, first measuring its recall curve when it has none or
// when enough has changed since. The index metadata must already be written
// in c.txn: the curve is measured through the real query path.
void store_graph_record(const GraphContext& c, GraphRecord record, BuildMonitor& monitor);

}  // namespace arroy
