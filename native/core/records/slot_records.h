// Slots and slabs (format.h): where an index's vectors live. Decoders
// return views into the caller's buffer (normally LMDB's memory map) after
// checking sizes and headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "format.h"

namespace arroy {

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
// Overwrites one slot of a slab held in memory (slots_per_slab * slot_size
// bytes), checksum included.
void write_slot(std::vector<uint8_t>& slab, uint32_t position, uint32_t dimensions, uint32_t item_id, bool live,
                float norm, const float* values);
// A slab of slots_per_slab free slots, each with its checksum.
std::vector<uint8_t> empty_slab(uint32_t dimensions, uint32_t slots_per_slab);

// The checksum a slot of slot_size(dimensions) bytes at `slot` should carry,
// and whether it carries it. Reads only those bytes; the caller has checked
// that they lie in the record.
uint32_t slot_checksum(const uint8_t* slot, uint32_t dimensions);
bool slot_intact(const uint8_t* slot, uint32_t dimensions);

// Slots per slab for vectors of `dimensions` on pages of `page_size` bytes,
// by the rule of format.h (kMaxSlabPages, kSlabFillTarget).
uint32_t choose_slots_per_slab(uint32_t dimensions, uint32_t page_size);

}  // namespace arroy
