// Tree node records (format.h): buckets of slots and the splits above them.
// decode_node returns a view into the caller's buffer after checking the
// record's size, tag and plane.
#pragma once

#include <cstddef>
#include <cstdint>

#include "format.h"
#include "records/bytes.h"

namespace arroy {

struct NodeView {
  NodeTag tag;
  // Bucket
  uint32_t count = 0;
  const uint8_t* ids = nullptr;  // count little-endian u32, read with load_u32
  // Split and RandomSplit
  uint32_t left = 0;
  uint32_t right = 0;
  // Split
  float offset = 0;
  float extra = 0;
  const void* normal = nullptr;  // dimensions floats, possibly unaligned
};
NodeView decode_node(const void* data, size_t size, uint32_t dimensions);

// Node encoders append to `w`, so that many nodes can share one buffer.
void append_bucket(ByteWriter& w, const uint32_t* ids, size_t count);
void append_split(ByteWriter& w, uint32_t left, uint32_t right, float offset, float extra, const void* normal,
                  uint32_t dimensions);
void append_random_split(ByteWriter& w, uint32_t left, uint32_t right);

}  // namespace arroy
