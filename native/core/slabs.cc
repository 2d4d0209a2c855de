#include "slabs.h"

#include <cstring>
#include <iterator>

#include "errors.h"

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

std::vector<Environment::DatabaseSpec> index_database_specs(IndexId index) {
  return {{slabs_database(index), true},
          {ids_database(index), true},
          {nodes_database(index), true},
          {keys_database(index), false},
          {key_names_database(index), true}};
}

IndexDatabases open_index_databases(Environment& env, IndexId index) {
  std::vector<Environment::DatabaseSpec> specs = index_database_specs(index);
  return IndexDatabases{index,
                        env.database(specs[0]),
                        env.database(specs[1]),
                        env.database(specs[2]),
                        env.database(specs[3]),
                        env.database(specs[4])};
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

SlabEditor::SlabEditor(Transaction& txn, MDB_dbi main, const IndexDatabases& dbs, IndexMeta& meta)
    : txn_(txn), main_(main), dbs_(dbs), meta_(meta) {
  MDB_val value;
  if (txn_.get(main_, free_slots_key(dbs_.index), &value)) {
    for (uint32_t slot : decode_u32_list(value.mv_data, value.mv_size, "free slot list")) {
      if (slot >= meta_.slot_count) corrupt("a free slot beyond the slot count");
      free_.insert(slot);
    }
  }
}

std::vector<uint8_t>& SlabEditor::slab(uint32_t number) {
  auto found = touched_.find(number);
  if (found != touched_.end()) return found->second;
  std::vector<uint8_t> bytes(slot_size(meta_.dimensions) * meta_.slots_per_slab, 0);  // all slots free
  MDB_val value;
  if (txn_.get(dbs_.slabs, number, &value)) {
    if (value.mv_size != bytes.size()) corrupt("a slab of " + std::to_string(value.mv_size) + " bytes");
    std::memcpy(bytes.data(), value.mv_data, bytes.size());
  }
  return touched_.emplace(number, std::move(bytes)).first->second;
}

void SlabEditor::put(uint32_t id, const std::vector<float>& values, float norm) {
  std::optional<uint32_t> slot = find_slot(txn_, dbs_.ids, id);
  if (!slot) {
    if (!free_.empty()) {
      slot = *free_.begin();
      free_.erase(free_.begin());
    } else {
      if (meta_.slot_count == 0xFFFFFFFFu) fail(ErrorCode::InvalidArgument, "the index is full (2^32 - 1 slots)");
      slot = meta_.slot_count++;
    }
    std::vector<uint8_t> record = encode_u32_list({*slot});
    txn_.put(dbs_.ids, id, record);
    meta_.item_count++;
  }
  write_slot(slab(*slot / meta_.slots_per_slab), *slot % meta_.slots_per_slab, meta_.dimensions, id, true, norm,
             values.data());
}

void SlabEditor::remove(uint32_t id) {
  std::optional<uint32_t> slot = find_slot(txn_, dbs_.ids, id);
  if (!slot) return;
  if (*slot >= meta_.slot_count) corrupt("an id record points beyond the slot count");
  txn_.del(dbs_.ids, id);
  write_slot(slab(*slot / meta_.slots_per_slab), *slot % meta_.slots_per_slab, meta_.dimensions, 0, false, 0,
             nullptr);
  free_.insert(*slot);
  if (meta_.item_count == 0) corrupt("item count underflow");
  meta_.item_count--;
}

void SlabEditor::finish() {
  for (auto& entry : touched_) txn_.put(dbs_.slabs, entry.first, entry.second);
  touched_.clear();
  // Free slots at the top shrink the high-water mark instead of being listed.
  while (!free_.empty() && *free_.rbegin() == meta_.slot_count - 1) {
    free_.erase(std::prev(free_.end()));
    meta_.slot_count--;
  }
  uint32_t slabs_needed = (meta_.slot_count + meta_.slots_per_slab - 1) / meta_.slots_per_slab;
  // Slabs wholly above the high-water mark hold only free slots: drop them.
  for (uint32_t number = slabs_needed;; number++) {
    if (!txn_.del(dbs_.slabs, number)) break;
  }
  std::vector<uint32_t> free(free_.begin(), free_.end());
  if (free.empty()) {
    txn_.del(main_, free_slots_key(dbs_.index));
  } else {
    txn_.put(main_, free_slots_key(dbs_.index), encode_u32_list(free));
  }
}

}  // namespace arroy
