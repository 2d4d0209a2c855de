#include "items/slots.h"

#include <string>

#include "errors.h"
#include "records/u32_records.h"
#include "storage/cursor.h"

namespace arroy {

SlotView read_live_slot(const uint8_t* slot, uint32_t dimensions) {
  SlotView view = read_slot(slot, slot_size(dimensions), 0, dimensions, 1);
  if (!view.live) corrupt("a tree or id record refers to a free slot");
  return view;
}

SlotView live_slot_in(const MDB_val& slab, uint32_t slot, const IndexMeta& meta) {
  const size_t bytes = slot_size(meta.dimensions);
  if (!slab.mv_data) corrupt("the slab of slot " + std::to_string(slot) + " is missing");
  if (slab.mv_size != bytes * meta.slots_per_slab) corrupt("a slab of " + std::to_string(slab.mv_size) + " bytes");
  return read_live_slot(static_cast<const uint8_t*>(slab.mv_data) + bytes * (slot % meta.slots_per_slab),
                        meta.dimensions);
}

void check_meta_counts(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta) {
  uint64_t slabs = txn.entries(dbs.slabs);
  if (uint64_t(meta.slot_count) > slabs * meta.slots_per_slab) corrupt("the slot count exceeds the stored slabs");
  if (meta.item_count > txn.entries(dbs.ids)) corrupt("the item count exceeds the stored ids");
}

void for_each_live_slot(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta,
                        const std::function<void(uint32_t, const SlotView&)>& visit) {
  Cursor cursor(txn, dbs.slabs);
  MDB_val v;
  uint32_t number;
  for (bool ok = cursor.first(&number, &v); ok; ok = cursor.next(&number, &v)) {
    for (uint32_t position = 0; position < meta.slots_per_slab; position++) {
      SlotView slot = read_slot(v.mv_data, v.mv_size, position, meta.dimensions, meta.slots_per_slab);
      uint64_t s = uint64_t(number) * meta.slots_per_slab + position;
      if (!slot.live) continue;
      if (s >= meta.slot_count) corrupt("a live slot beyond the slot count");
      visit(static_cast<uint32_t>(s), slot);
    }
  }
}

std::optional<uint32_t> find_slot(const Transaction& txn, MDB_dbi ids, uint32_t id) {
  MDB_val value;
  if (!txn.get(ids, id, &value)) return std::nullopt;
  return decode_u32(value.mv_data, value.mv_size, "id record");
}

}  // namespace arroy
