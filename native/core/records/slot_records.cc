#include "records/slot_records.h"

#include <cmath>
#include <cstring>
#include <string>

#include "checksum/crc32c.h"
#include "errors.h"
#include "records/bytes.h"

namespace arroy {

uint32_t choose_slots_per_slab(uint32_t dimensions, uint32_t page_size) {
  const size_t slot = slot_size(dimensions);
  const size_t overflow_header = 16;  // LMDB's page header, at the start of an overflow run
  uint32_t best = 1;
  double best_fill = 0;
  for (uint32_t pages = 1; pages <= kMaxSlabPages; pages++) {
    size_t capacity = size_t(pages) * page_size - overflow_header;
    size_t slots = capacity / slot;
    if (slots == 0) continue;
    double fill = double(slots * slot) / double(size_t(pages) * page_size);
    if (fill > best_fill + 1e-9) {
      best_fill = fill;
      best = static_cast<uint32_t>(slots);
    }
    if (fill >= kSlabFillTarget) return static_cast<uint32_t>(slots);
  }
  return best;  // a vector larger than kMaxSlabPages pages: one slot per slab
}

SlotView read_slot(const void* slab, size_t slab_size, uint32_t position, uint32_t dimensions,
                   uint32_t slots_per_slab) {
  const size_t slot = slot_size(dimensions);
  if (slab_size != slot * slots_per_slab) corrupt("a slab of " + std::to_string(slab_size) + " bytes");
  if (position >= slots_per_slab) corrupt("slot position beyond its slab");
  ByteReader r(static_cast<const uint8_t*>(slab) + slot * position, slot, "slot");
  SlotView view;
  view.item_id = r.u32();
  uint32_t state = r.u32();
  if (state != kSlotFree && state != kSlotLive) corrupt("slot state " + std::to_string(state));
  view.live = state == kSlotLive;
  view.norm = r.f32();
  r.skip(4);  // the checksum: verified by slot_intact(), on the paths that can afford it
  view.values = r.bytes(4ull * dimensions);
  if (view.live && (!std::isfinite(view.norm) || view.norm < 0)) corrupt("slot norm is not a finite non-negative number");
  return view;
}

void write_slot(std::vector<uint8_t>& slab, uint32_t position, uint32_t dimensions, uint32_t item_id, bool live,
                float norm, const float* values) {
  const size_t slot = slot_size(dimensions);
  uint8_t* p = slab.data() + slot * position;
  uint32_t state = live ? kSlotLive : kSlotFree;
  std::memcpy(p, &item_id, 4);
  std::memcpy(p + 4, &state, 4);
  std::memcpy(p + 8, &norm, 4);
  if (values) {
    std::memcpy(p + kSlotHeaderSize, values, 4ull * dimensions);
  } else {
    std::memset(p + kSlotHeaderSize, 0, 4ull * dimensions);
  }
  const uint32_t checksum = slot_checksum(p, dimensions);
  std::memcpy(p + kSlotChecksumOffset, &checksum, 4);
}

std::vector<uint8_t> empty_slab(uint32_t dimensions, uint32_t slots_per_slab) {
  std::vector<uint8_t> slab(slot_size(dimensions) * slots_per_slab);
  for (uint32_t position = 0; position < slots_per_slab; position++) {
    write_slot(slab, position, dimensions, 0, false, 0, nullptr);
  }
  return slab;
}

uint32_t slot_checksum(const uint8_t* slot, uint32_t dimensions) {
  const uint32_t header = crc32c(slot, kSlotChecksumOffset);
  return crc32c(slot + kSlotHeaderSize, 4ull * dimensions, header);
}

bool slot_intact(const uint8_t* slot, uint32_t dimensions) {
  return slot_checksum(slot, dimensions) == load_u32(slot + kSlotChecksumOffset, 0);
}

}  // namespace arroy
