// Encoders and bounds-checked decoders for every record of format.h. Decoders
// return views into the caller's buffer (normally LMDB's memory map) and throw
// a Corrupt error for any record whose size or contents do not add up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bytes.h"
#include "distance.h"
#include "format.h"

namespace arroy {

// ---- file level

std::vector<uint8_t> encode_file_header();
// Checks the magic and the format version.
void check_file_header(const void* data, size_t size);

struct CatalogEntry {
  IndexId index;
  std::string name;
};
std::vector<uint8_t> encode_catalog(const std::vector<CatalogEntry>& entries);
std::vector<CatalogEntry> decode_catalog(const void* data, size_t size);

// ---- index metadata

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

// ---- slots and slabs

struct SlotView {
  uint32_t item_id;
  bool live;
  float norm;
  const void* values;  // dimensions floats, possibly unaligned
};

// The slot at position `position` of a slab record, after checking the
// record's size and the slot's header.
SlotView read_slot(const void* slab, size_t slab_size, uint32_t position, uint32_t dimensions,
                   uint32_t slots_per_slab);
// Overwrites one slot of a slab held in memory (slots_per_slab * slot_size bytes).
void write_slot(std::vector<uint8_t>& slab, uint32_t position, uint32_t dimensions, uint32_t item_id, bool live,
                float norm, const float* values);

// u32 lists (free slots, id records).
std::vector<uint8_t> encode_u32_list(const std::vector<uint32_t>& values);
std::vector<uint32_t> decode_u32_list(const void* data, size_t size, const char* what);
uint32_t decode_u32(const void* data, size_t size, const char* what);

// ---- tree nodes

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
