#include "items/slab_editor.h"

#include <cstring>
#include <iterator>
#include <optional>
#include <string>

#include "errors.h"
#include "items/slots.h"
#include "records/slot_records.h"
#include "records/u32_records.h"

namespace arroy {

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
  std::vector<uint8_t> bytes = empty_slab(meta_.dimensions, meta_.slots_per_slab);
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
