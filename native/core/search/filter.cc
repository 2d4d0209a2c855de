#include "search/filter.h"

#include <algorithm>

#include "errors.h"
#include "records/u32_records.h"
#include "storage/cursor.h"

namespace arroy {

AllowedSet::AllowedSet(std::vector<uint32_t> ids, std::vector<std::string> keys)
    : ids_(std::move(ids)), keys_(std::move(keys)) {
  std::sort(ids_.begin(), ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
}

const SlotFilter& AllowedSet::resolve(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta) {
  if (meta.key_kind == kStringKeys && !ids_.empty()) {
    fail(ErrorCode::InvalidArgument, "this index addresses items by string keys; the filter holds numeric ids");
  }
  if (meta.key_kind != kStringKeys && !keys_.empty()) {
    fail(ErrorCode::InvalidArgument, "this index addresses items by numeric ids; the filter holds string keys");
  }
  const uint64_t instance = meta.instance;
  const uint32_t slot_count = meta.slot_count;
  const size_t txn_id = mdb_txn_id(txn.txn());
  if (txn_id == txn_id_ && instance == instance_) return filter_;
  txn_id_ = 0;

  std::vector<uint32_t> ids = ids_;
  if (!keys_.empty()) {
    for (const std::string& key : keys_) {
      MDB_val value;
      if (txn.get(dbs.keys, key, &value)) ids.push_back(decode_u32(value.mv_data, value.mv_size, "key record"));
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }

  filter_.bits.assign((size_t(slot_count) + 63) / 64, 0);
  filter_.slots.clear();
  // Ascending ids through one cursor: consecutive lookups mostly stay on the
  // page the cursor is already on.
  Cursor cursor(txn, dbs.ids);
  for (uint32_t id : ids) {
    MDB_val value;
    if (!cursor.find(id, &value)) continue;
    uint32_t slot = decode_u32(value.mv_data, value.mv_size, "id record");
    if (slot >= slot_count) corrupt("an id record points beyond the slot count");
    uint64_t& word = filter_.bits[slot >> 6];
    const uint64_t bit = uint64_t(1) << (slot & 63);
    if (!(word & bit)) {
      word |= bit;
      filter_.slots.push_back(slot);
    }
  }
  std::sort(filter_.slots.begin(), filter_.slots.end());
  instance_ = instance;
  txn_id_ = txn_id;
  return filter_;
}

}  // namespace arroy
