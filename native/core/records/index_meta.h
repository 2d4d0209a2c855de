// An index's metadata record (format.h): its shape, counters and tree roots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "distance/metric.h"
#include "format.h"

namespace arroy {

struct IndexMeta {
  uint32_t format_version = kFormatVersion;
  uint64_t instance = 0;  // random at creation: tells a re-created index from the dropped one
  uint32_t dimensions = 0;
  Metric metric = Metric::Euclidean;
  uint8_t key_kind = kIdKeys;
  uint32_t bucket_capacity = 0;
  uint32_t slots_per_slab = 0;
  uint32_t slot_count = 0;
  uint32_t item_count = 0;
  uint32_t node_count = 0;
  uint32_t next_key_id = 0;
  uint64_t seed = 0;
  float max_norm = 0;  // largest item norm at the last build (dot metric's augmentation)
  std::vector<uint32_t> roots;
};
std::vector<uint8_t> encode_index_meta(const IndexMeta& meta);
IndexMeta decode_index_meta(const void* data, size_t size);

}  // namespace arroy
