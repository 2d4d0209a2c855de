// A neighbour graph held in memory (a build's), as beam_search's Space: the
// builder's rows (vector_copy.h), their edge lists, and the distance from one
// query to a live item, which is what differs between linking an item (the
// graph's own distance, graph_space.h) and measuring recall with a held-out
// query (the metric's distance, with the held-out slots unreachable).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "graph/graph_space.h"
#include "graph/link_table.h"
#include "graph/vector_copy.h"

namespace arroy {

// distance(slot, item) -> float, called only for live items.
template <class Distance>
class MemorySpace {
 public:
  MemorySpace(const VectorCopy& rows, const LinkTable& links, Distance distance)
      : rows_(rows), links_(links), distance_(distance) {}
  uint32_t slot_count() const { return static_cast<uint32_t>(rows_.slot_count()); }
  const void* locate(uint32_t slot) const {
    const char* row = reinterpret_cast<const char*>(rows_.row(slot));
    for (size_t at = 0; at < rows_.row_bytes(); at += 64) __builtin_prefetch(row + at);
    return row;
  }
  float distance(const void* where) const {
    const float* row = static_cast<const float*>(where);
    const GraphItem item = rows_.item(row);
    return item.values ? distance_(rows_.slot_of(row), item) : INFINITY;
  }
  template <class F>
  void links(uint32_t slot, F visit) const {
    for (uint32_t n : links_[slot]) visit(n);
  }
  bool allowed(uint32_t) const { return true; }

 private:
  const VectorCopy& rows_;
  const LinkTable& links_;
  Distance distance_;
};

template <class Distance>
MemorySpace<Distance> memory_space(const VectorCopy& rows, const LinkTable& links, Distance distance) {
  return MemorySpace<Distance>(rows, links, distance);
}

}  // namespace arroy
