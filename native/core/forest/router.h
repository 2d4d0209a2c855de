// Routing a build's batch through the stored forest: where each old version
// sits (to remove it) and which bucket each new version reaches (to insert
// it), in every tree.
//
// Routing only reads, and trees share no nodes, so it runs before the build
// writes anything, one tree per task on all cores. Each task reads its own
// read snapshot: a write transaction must not be read from several threads,
// but a read snapshot opened while it is still clean shows the same bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "forest/build_monitor.h"
#include "forest/planes.h"
#include "records/index_meta.h"
#include "items/index_databases.h"
#include "storage/environment.h"
#include "storage/transaction.h"

namespace arroy {

// A removal's path: node ids from the root down to the bucket that holds the
// item.
struct RemovalPath {
  const uint32_t* nodes;
  size_t size;
  uint32_t back() const { return nodes[size - 1]; }
};

struct RoutesOfTree {
  // Every removal path, one after the other: removal i's runs from
  // path_nodes[path_starts[i]] to path_nodes[path_starts[i + 1]].
  std::vector<uint32_t> path_nodes;
  std::vector<size_t> path_starts;
  // Per insertion: the bucket its vector reaches.
  std::vector<uint32_t> insertion_buckets;

  RemovalPath removal_path(size_t i) const {
    return {path_nodes.data() + path_starts[i], path_starts[i + 1] - path_starts[i]};
  }
};

struct BatchRoutes {
  std::vector<RoutesOfTree> trees;
  // When the batch was big enough to read every node at once: their stored
  // bytes by id, in `snapshot`, which stays open to keep them valid. Until the
  // build writes its first node they are also what the write transaction
  // would read (the same committed pages).
  std::vector<MDB_val> directory;
  std::unique_ptr<Transaction> snapshot;
};

struct RoutingRequest {
  const IndexMeta* meta;
  const Geometry* geometry;
  const std::vector<BuildItem>* removals;    // slot: where the item is stored now
  const std::vector<BuildItem>* insertions;  // slot unused
  uint64_t seed;                             // coins for items exactly on a plane
  unsigned threads;
};

// `txn` is the build's write transaction, not yet written to for this index.
// When a fresh read snapshot does not show the same forest (the index was
// changed earlier in the same transaction), routing reads `txn` on the
// calling thread instead.
BatchRoutes route_batch(const Environment& env, const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs,
                        const RoutingRequest& request, BuildMonitor& monitor);

}  // namespace arroy
