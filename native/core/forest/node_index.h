// NodeIndex: the forest editor's map from node ids to where it holds them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace arroy {

// Node id -> position in a tree's pool: open addressing with linear probing,
// one flat array (a build loads tens of thousands of nodes per tree, and a
// node-per-allocation map costs more to fill and to free than the edits).
class NodeIndex {
 public:
  // The position stored for id, or kAbsent.
  static constexpr uint32_t kAbsent = 0xFFFFFFFFu;
  uint32_t find(uint32_t id) const {
    if (entries_.empty()) return kAbsent;
    for (size_t i = home(id);; i = (i + 1) & mask_) {
      const uint64_t entry = entries_[i];
      if (entry == kEmpty) return kAbsent;
      if (uint32_t(entry >> 32) == id) return uint32_t(entry);
    }
  }
  // id must be absent.
  void insert(uint32_t id, uint32_t position) {
    if (2 * (used_ + 1) > entries_.size()) rehash(std::max<size_t>(64, 2 * entries_.size()));
    size_t i = home(id);
    while (entries_[i] != kEmpty) i = (i + 1) & mask_;
    entries_[i] = uint64_t(id) << 32 | position;
    used_++;
  }

 private:
  // Node ids stay below 2^32 - 1, so no entry is all ones.
  static constexpr uint64_t kEmpty = ~uint64_t(0);
  size_t home(uint32_t id) const { return (uint64_t(id) * 0x9E3779B97F4A7C15ull >> 32) & mask_; }
  void rehash(size_t size) {
    std::vector<uint64_t> old(size, kEmpty);
    old.swap(entries_);
    mask_ = size - 1;
    used_ = 0;
    for (uint64_t entry : old) {
      if (entry != kEmpty) insert(uint32_t(entry >> 32), uint32_t(entry));
    }
  }
  std::vector<uint64_t> entries_;
  size_t mask_ = 0;
  size_t used_ = 0;
};

}  // namespace arroy
