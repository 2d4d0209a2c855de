// The edge lists of a graph being built, in one array: a row per slot, each
// the list's length then room for `capacity` edges, rows starting on cache
// lines. A search reads a list with one miss instead of two (the vector's
// header, then its heap block) and linking allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace arroy {

struct LinkSpan {
  const uint32_t* first;
  const uint32_t* last;
  const uint32_t* begin() const { return first; }
  const uint32_t* end() const { return last; }
  size_t size() const { return static_cast<size_t>(last - first); }
  bool empty() const { return first == last; }
};

class LinkTable {
 public:
  LinkTable() = default;
  // `slots` empty rows of up to `capacity` edges.
  LinkTable(size_t slots, uint32_t capacity)
      : capacity_(capacity), stride_((capacity + 1 + kLineWords - 1) / kLineWords * kLineWords), slots_(slots) {
    storage_.assign(slots * stride_ + kLineWords, 0);
    const size_t misalign = reinterpret_cast<uintptr_t>(storage_.data()) % 64 / sizeof(uint32_t);
    base_ = storage_.data() + (misalign ? kLineWords - misalign : 0);
  }

  LinkTable(const LinkTable&) = delete;  // base_ points into storage_
  LinkTable& operator=(const LinkTable&) = delete;
  LinkTable(LinkTable&&) = default;  // a moved vector keeps its buffer
  LinkTable& operator=(LinkTable&&) = default;

  size_t slot_count() const { return slots_; }
  uint32_t capacity() const { return capacity_; }
  LinkSpan operator[](size_t slot) const {
    const uint32_t* row = base_ + slot * stride_;
    return {row + 1, row + 1 + row[0]};
  }
  bool empty(size_t slot) const { return base_[slot * stride_] == 0; }
  std::vector<uint32_t> list(size_t slot) const {
    const LinkSpan span = (*this)[slot];
    return std::vector<uint32_t>(span.begin(), span.end());
  }
  void clear(size_t slot) { base_[slot * stride_] = 0; }
  // Replaces the list; edges past the capacity are dropped (callers keep
  // lists within it: the degree, or the slack insert() allows).
  void assign(size_t slot, const uint32_t* edges, size_t count) {
    uint32_t* row = base_ + slot * stride_;
    const size_t kept = count < capacity_ ? count : capacity_;
    for (size_t i = 0; i < kept; i++) row[1 + i] = edges[i];
    row[0] = static_cast<uint32_t>(kept);
  }
  void assign(size_t slot, const std::vector<uint32_t>& edges) { assign(slot, edges.data(), edges.size()); }
  // Appends an edge if there is room; says whether there was.
  bool push_back(size_t slot, uint32_t edge) {
    uint32_t* row = base_ + slot * stride_;
    if (row[0] >= capacity_) return false;
    row[1 + row[0]++] = edge;
    return true;
  }

 private:
  static constexpr size_t kLineWords = 64 / sizeof(uint32_t);
  uint32_t capacity_ = 0;
  size_t stride_ = 0;
  size_t slots_ = 0;
  std::vector<uint32_t> storage_;
  uint32_t* base_ = nullptr;
};

}  // namespace arroy
