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
#include "graph/link_table.h"

namespace arroy {

// distance(slot, item) -> float, called only for live items; vector_bytes:
// how much of an item's values a search fetches ahead of scoring it.
template <class Distance>
class MemorySpace {
 public:
  MemorySpace(const std::vector<GraphItem>& items, const LinkTable& links, Distance distance,
              size_t vector_bytes)
      : items_(items), links_(links), distance_(distance), vector_bytes_(vector_bytes) {}
  uint32_t slot_count() const { return static_cast<uint32_t>(items_.size()); }
  const void* locate(uint32_t slot) const {
    const char* values = static_cast<const char*>(items_[slot].values);
    if (values) {
      for (size_t at = 0; at < vector_bytes_; at += 64) __builtin_prefetch(values + at);
    }
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
  const LinkTable& links_;
  Distance distance_;
  size_t vector_bytes_;
};

template <class Distance>
MemorySpace<Distance> memory_space(const std::vector<GraphItem>& items,
                                   const LinkTable& links, Distance distance,
                                   size_t vector_bytes) {
  return MemorySpace<Distance>(items, links, distance, vector_bytes);
}

}  // namespace arroy
