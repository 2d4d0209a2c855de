// Query-time search through the neighbour graph (graph/), started from the
// items of the leaves the query falls into in each tree.
#pragma once

#include <cstdint>
#include <vector>

#include "distance/kernels.h"
#include "graph/beam_search.h"
#include "items/read_view.h"
#include "search/filter.h"
#include "search/query.h"

namespace arroy {

// Slots where a graph search starts: the items of the leaf that each tree
// routes the query to, at most `limit` in all (split evenly between trees),
// or the graph's entry when the index has no trees.
void forest_seeds(ReadView& view, const Kernels& kernels, const QueryVector& query, uint32_t limit,
                  std::vector<uint32_t>& seeds);

struct GraphSearch {
  uint32_t ef = 0;                     // the beam's width
  uint32_t keep = 0;                   // results wanted; more than ef keeps the closest scored
  const SlotFilter* filter = nullptr;  // null: every item is allowed
  uint32_t skip = 0xFFFFFFFFu;         // a slot never reached (calibration's held-out item)
};

// The max(ef, keep) nearest allowed slots found (ascending distance, left in
// scratch.best); returns the distances computed. The view must have a graph.
uint64_t graph_search(ReadView& view, const Kernels& kernels, const QueryVector& query, const GraphSearch& request,
                      BeamScratch& scratch);

}  // namespace arroy
