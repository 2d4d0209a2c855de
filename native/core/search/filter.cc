#include "search/filter.h"

#include <algorithm>

#include "errors.h"
#include "records/u32_records.h"
#include "storage/cursor.h"

namespace arroy {

std::shared_ptr<const SlotFilter> SnapshotFilterCache::find(uint64_t instance, size_t txn_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (cached_ && txn_id == txn_id_ && instance == instance_) return cached_;
  return nullptr;
}

void SnapshotFilterCache::offer(const std::shared_ptr<const SlotFilter>& filter, uint64_t instance, size_t txn_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!cached_ || instance != instance_ || txn_id >= txn_id_) {
    cached_ = filter;
    instance_ = instance;
    txn_id_ = txn_id;
  }
}

std::shared_ptr<SlotFilter> slot_filter_of_bits(std::vector<uint64_t> bits) {
  auto filter = std::make_shared<SlotFilter>();
  for (size_t w = 0; w < bits.size(); w++) {
    for (uint64_t word = bits[w]; word; word &= word - 1) {
      filter->slots.push_back(static_cast<uint32_t>(w * 64 + __builtin_ctzll(word)));
    }
  }
  filter->bits = std::move(bits);
  return filter;
}

AllowedSet::AllowedSet(std::vector<uint32_t> ids, std::vector<std::string> keys)
    : ids_(std::move(ids)), keys_(std::move(keys)) {
  std::sort(ids_.begin(), ids_.end());
  ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
}

std::shared_ptr<const SlotFilter> AllowedSet::resolve(const Transaction& txn, const IndexDatabases& dbs,
                                                      const IndexMeta& meta) {
  if (meta.key_kind == kStringKeys && !ids_.empty()) {
    fail(ErrorCode::InvalidArgument, "this index addresses items by string keys; the filter holds numeric ids");
  }
  if (meta.key_kind != kStringKeys && !keys_.empty()) {
    fail(ErrorCode::InvalidArgument, "this index addresses items by numeric ids; the filter holds string keys");
  }
  const uint64_t instance = meta.instance;
  const uint32_t slot_count = meta.slot_count;
  const size_t txn_id = mdb_txn_id(txn.txn());
  if (std::shared_ptr<const SlotFilter> cached = cache_.find(instance, txn_id)) return cached;
  // Resolved outside the cache's lock: threads on other snapshots need not wait.
  auto filter = std::make_shared<SlotFilter>();

  std::vector<uint32_t> ids = ids_;
  if (!keys_.empty()) {
    for (const std::string& key : keys_) {
      MDB_val value;
      if (txn.get(dbs.keys, key, &value)) ids.push_back(decode_u32(value.mv_data, value.mv_size, "key record"));
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }

  filter->bits.assign((size_t(slot_count) + 63) / 64, 0);
  // Ascending ids through one cursor: consecutive lookups mostly stay on the
  // page the cursor is already on.
  Cursor cursor(txn, dbs.ids);
  for (uint32_t id : ids) {
    MDB_val value;
    if (!cursor.find(id, &value)) continue;
    uint32_t slot = decode_u32(value.mv_data, value.mv_size, "id record");
    if (slot >= slot_count) corrupt("an id record points beyond the slot count");
    uint64_t& word = filter->bits[slot >> 6];
    const uint64_t bit = uint64_t(1) << (slot & 63);
    if (!(word & bit)) {
      word |= bit;
      filter->slots.push_back(slot);
    }
  }
  std::sort(filter->slots.begin(), filter->slots.end());
  cache_.offer(filter, instance, txn_id);
  return filter;
}

}  // namespace arroy
