// Builds and edits a neighbour graph in memory, for one build transaction.
//
// Items are inserted in batches: every item of a batch searches the graph as
// it stood before the batch (in parallel, since nothing changes meanwhile),
// picks its edges (select_neighbors.h), and then each neighbour gains the
// reverse edge. A batch is a small fraction of the items already linked
// (kGraphBatchFraction), so an item misses few of the edges a one-at-a-time
// insertion would have given it; and because batches are cut by count, not by
// thread timing, the graph is the same for any number of threads.
#pragma once

#include <cstdint>
#include <vector>

#include "forest/build_monitor.h"
#include "graph/beam_search.h"
#include "graph/graph_space.h"
#include "graph/link_table.h"
#include "graph/vector_copy.h"

namespace arroy {

constexpr uint32_t kNoSlot = 0xFFFFFFFFu;

struct GraphParams {
  uint32_t degree = 0;    // edges kept per item
  uint32_t build_ef = 0;  // results each insertion's search keeps
  unsigned threads = 1;
};

class GraphBuilder {
 public:
  // items: by slot, null values for slots that hold no live item. links: the
  // stored edges by slot (empty for a new graph), entry: a linked slot or kNoSlot.
  // The builder links its own copy of the items (vector_copy.h): items()
  // points into it, and distances to it must use space().
  GraphBuilder(const GraphSpace& space, std::vector<GraphItem> items, std::vector<std::vector<uint32_t>> links,
               uint32_t entry, GraphParams params);

  // Drops the items of `removed` (slots whose items left; their slots may
  // already hold new items, which insert() then links afresh) and repairs the
  // edges that pointed at them from the candidates around them. Returns the
  // live items left with no edge at all, for insert() to link again.
  std::vector<uint32_t> remove(const std::vector<uint32_t>& removed, BuildMonitor& monitor);
  // Links `slots` (live in items, not yet linked) in the given order.
  void insert(const std::vector<uint32_t>& slots, BuildMonitor& monitor);
  // Cuts every list that grew past the degree back to it (insert() lets lists
  // grow by half again between cuts). Call once, before storing.
  void finish(BuildMonitor& monitor);

  const LinkTable& links() const { return links_; }
  const std::vector<GraphItem>& items() const { return items_; }
  const GraphSpace& space() const { return space_; }
  // The rows items() points into, for a MemorySpace.
  const VectorCopy& rows() const { return copy_; }
  // Slots whose edge lists changed since construction.
  const std::vector<bool>& changed() const { return changed_; }
  uint32_t entry() const { return entry_; }

 private:
  void link_batch(const std::vector<uint32_t>& batch, BuildMonitor& monitor);
  void add_reverse_edges(const std::vector<uint32_t>& batch, BuildMonitor& monitor);
  // How long insert() lets a list grow before cutting it back to the degree.
  uint32_t slack() const;

  std::vector<GraphItem> items_;
  VectorCopy copy_;
  GraphSpace space_;
  LinkTable links_;
  std::vector<bool> changed_;
  uint32_t entry_;
  GraphParams params_;
  std::vector<BeamScratch> scratch_;  // one per worker, kept across batches
};

}  // namespace arroy
