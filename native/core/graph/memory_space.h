// A neighbour graph held in memory (a build's), as beam_search's Space: the
// items by slot, their edge lists, and the distance from one query to a live
// item, which is what differs between linking an item (the graph's own
// distance, graph_space.h) and measuring recall with a held-out query (the
// metric's distance, with the held-out slots unreachable).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "graph/graph_space.h"

namespace arroy {

// distance(slot, item) -> float, called only for live items.
template <class Distance>
class MemorySpace {
 public:
  MemorySpace(const std::vector<GraphItem>& items, const std::vector<std::vector<uint32_t>>& links, Distance distance)
      : items_(items), links_(links), distance_(distance) {}
  uint32_t slot_count() const { return static_cast<uint32_t>(items_.size()); }
  const void* locate(uint32_t slot) const {
    __builtin_prefetch(items_[slot].values);
    return &items_[slot];
  }
  float distance(const void* where) const {
    const GraphItem& item = *static_cast<const GraphItem*>(where);
    return item.values ? distance_(static_cast<size_t>(&item - items_.data()), item) : INFINITY;
  }
  template <class F>
  void links(uint32_t slot, F visit) const {
    for (uint32_t n : links_[slot]) visit(n);
  }
  bool allowed(uint32_t) const { return true; }

 private:
  const std::vector<GraphItem>& items_;
  const std::vector<std::vector<uint32_t>>& links_;
  Distance distance_;
};

template <class Distance>
MemorySpace<Distance> memory_space(const std::vector<GraphItem>& items,
                                   const std::vector<std::vector<uint32_t>>& links, Distance distance) {
  return MemorySpace<Distance>(items, links, distance);
}

}  // namespace arroy
