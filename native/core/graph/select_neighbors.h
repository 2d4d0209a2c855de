// Which of an item's candidate neighbours become its edges.
//
// The nearest M candidates alone make a poor graph: in a tight cluster they
// all point at each other and no edge leaves it. The rule of HNSW (and of the
// relative neighbourhood graph before it) keeps a candidate only if it is
// closer to the item than to every neighbour already kept, so each edge
// points in a direction no kept edge covers, and the search can leave a
// cluster by the edges that remain.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/beam_search.h"
#include "graph/graph_space.h"

namespace arroy {

// Picks at most `degree` of `candidates` (sorted ascending by distance to
// the item; the item itself and free slots are skipped) by the rule above.
// items is indexed by slot.
std::vector<uint32_t> select_neighbors(const GraphSpace& space, const std::vector<GraphItem>& items, uint32_t self,
                                       const std::vector<GraphHit>& candidates, uint32_t degree);

// Ranks `neighbors` of `self` by distance and selects from them again: how
// an edge list that grew past its degree is cut back.
std::vector<uint32_t> prune_neighbors(const GraphSpace& space, const std::vector<GraphItem>& items, uint32_t self,
                                      const uint32_t* neighbors, size_t count, uint32_t degree);

}  // namespace arroy
