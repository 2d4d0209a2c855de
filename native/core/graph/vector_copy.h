// The build's own copy of the vectors it links, one row per slot.
//
// Items read in place from LMDB lie wherever their pages are, 2-byte aligned,
// so every distance of a build's search is several cache misses spread over
// the map, after one more to find where the item is. Rows in slot order, each
// starting on a cache line and ending with the item's norm, let a search
// compute where a neighbour is from its slot and prefetch all of it at once
// (memory_space.h), and keep the build's working set dense. Cosine rows are
// scaled to unit length on the way in, so the graph's cosine is 1 - a.b with
// no norms (GraphSpace::over_unit_rows). The copy costs about
// n x (dimensions + 1) floats of memory for the length of the build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/graph_space.h"

namespace arroy {

class VectorCopy {
 public:
  // Copies every live item of `items` and points it at its row; with
  // `unit`, nonzero rows are scaled to unit length and their norm set to 1.
  VectorCopy(std::vector<GraphItem>& items, uint32_t dimensions, bool unit)
      : dimensions_(dimensions), stride_((dimensions + 1 + kLineFloats - 1) / kLineFloats * kLineFloats),
        slots_(items.size()) {
    storage_.assign(slots_ * stride_ + kLineFloats, 0.0f);
    const size_t misalign = reinterpret_cast<uintptr_t>(storage_.data()) % 64 / sizeof(float);
    base_ = storage_.data() + (misalign ? kLineFloats - misalign : 0);
    for (size_t slot = 0; slot < slots_; slot++) {
      GraphItem& item = items[slot];
      float* row = base_ + slot * stride_;
      if (!item.values) {
        row[dimensions] = kFree;
        continue;
      }
      std::memcpy(row, item.values, dimensions * sizeof(float));
      if (unit && item.norm > 0) {
        const float scale = 1.0f / item.norm;
        for (uint32_t i = 0; i < dimensions; i++) row[i] *= scale;
        item.norm = 1.0f;
      }
      row[dimensions] = item.norm;
      item.values = row;
    }
  }
  VectorCopy(const VectorCopy&) = delete;  // items point into storage_
  VectorCopy& operator=(const VectorCopy&) = delete;

  size_t slot_count() const { return slots_; }
  const float* row(size_t slot) const { return base_ + slot * stride_; }
  size_t slot_of(const float* row) const { return static_cast<size_t>(row - base_) / stride_; }
  // The item of a row: null values for a slot that holds no live item.
  GraphItem item(const float* row) const {
    const float norm = row[dimensions_];
    return norm >= 0 ? GraphItem{row, norm} : GraphItem{};
  }
  // Bytes of a row that a search reads (the values and the norm).
  size_t row_bytes() const { return (dimensions_ + 1) * sizeof(float); }

 private:
  static constexpr size_t kLineFloats = 64 / sizeof(float);
  static constexpr float kFree = -1.0f;  // the norm of a row with no live item
  uint32_t dimensions_;
  size_t stride_;
  size_t slots_;
  std::vector<float> storage_;
  float* base_ = nullptr;
};

}  // namespace arroy
