// The build's own copy of the vectors it links, one row per slot.
//
// Items read in place from LMDB lie wherever their pages are, 2-byte aligned,
// so every distance of a build's search is several cache misses spread over
// the map. A copy in slot order, each row starting on a cache line, lets a
// search prefetch a neighbour's whole vector at once (memory_space.h) and
// keeps the build's working set dense. Cosine rows are scaled to unit length
// on the way in, so the graph's cosine distance is 1 - a.b with no norms
// (GraphSpace::over_unit_rows). The copy costs n x dimensions floats of
// memory for the length of the build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "distance/metric.h"
#include "graph/graph_space.h"

namespace arroy {

class VectorCopy {
 public:
  static constexpr size_t kLineFloats = 64 / sizeof(float);

  // Copies every live item of `items` and points it at its copy; with
  // `unit`, nonzero rows are scaled to unit length and their norm set to 1.
  VectorCopy(std::vector<GraphItem>& items, uint32_t dimensions, bool unit)
      : stride_((dimensions + kLineFloats - 1) / kLineFloats * kLineFloats) {
    storage_.assign(items.size() * stride_ + kLineFloats, 0.0f);
    const size_t misalign = reinterpret_cast<uintptr_t>(storage_.data()) % 64 / sizeof(float);
    float* base = storage_.data() + (misalign ? kLineFloats - misalign : 0);
    for (size_t slot = 0; slot < items.size(); slot++) {
      GraphItem& item = items[slot];
      if (!item.values) continue;
      float* row = base + slot * stride_;
      std::memcpy(row, item.values, dimensions * sizeof(float));
      if (unit && item.norm > 0) {
        const float scale = 1.0f / item.norm;
        for (uint32_t i = 0; i < dimensions; i++) row[i] *= scale;
        item.norm = 1.0f;
      }
      item.values = row;
    }
  }

  // Bytes of one row that hold the vector (what a prefetch should fetch).
  size_t row_bytes(uint32_t dimensions) const { return dimensions * sizeof(float); }

 private:
  size_t stride_;
  std::vector<float> storage_;
};

}  // namespace arroy
