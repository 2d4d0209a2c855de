// LazyDirectory: an array whose memory is paid for only where it is used.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace arroy {

// A lazily filled array: chunks are allocated on first touch, so a huge index
// pays memory only for the parts its queries visit, and a new snapshot starts
// without zeroing a directory of every node.
template <typename T>
class LazyDirectory {
 public:
  void reset(size_t size) {
    size_ = size;
    chunks_.clear();
    chunks_.resize((size + kChunk - 1) / kChunk);
  }
  size_t size() const { return size_; }
  // The entry for i < size(), value-initialised on first touch.
  T& operator[](size_t i) {
    std::unique_ptr<T[]>& chunk = chunks_[i / kChunk];
    if (!chunk) chunk.reset(new T[kChunk]());
    return chunk[i % kChunk];
  }

 private:
  static constexpr size_t kChunk = 1024;
  size_t size_ = 0;
  std::vector<std::unique_ptr<T[]>> chunks_;
};

}  // namespace arroy
