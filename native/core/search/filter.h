// Filtered search: the set of items a query may return.
//
// Users name items by id (or key); trees and the exact scan work on slots. An
// AllowedSet keeps the ids and turns them into a slot bitmap once per read
// snapshot, so a filter reused across queries costs its resolution once per
// commit, not once per query. Searches on several threads may share one
// AllowedSet: each holds the resolved filter it got for as long as it runs.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "items/index_databases.h"
#include "records/index_meta.h"
#include "storage/transaction.h"

namespace arroy {

// Allowed slots of one snapshot: a bitmap for the forest's membership test and
// the ascending list for the exact scan.
struct SlotFilter {
  std::vector<uint64_t> bits;
  std::vector<uint32_t> slots;

  bool allows(uint32_t slot) const {
    size_t word = slot >> 6;
    return word < bits.size() && ((bits[word] >> (slot & 63)) & 1);
  }
};

// The filter one object resolved for the newest snapshot it has seen: a
// filter reused across queries (and threads) resolves once per commit.
class SnapshotFilterCache {
 public:
  // The filter cached for this snapshot of this index, or null.
  std::shared_ptr<const SlotFilter> find(uint64_t instance, size_t txn_id);
  // Keeps `filter` unless one of a newer snapshot is cached; a search of an
  // older snapshot keeps its own.
  void offer(const std::shared_ptr<const SlotFilter>& filter, uint64_t instance, size_t txn_id);

 private:
  std::mutex mutex_;
  uint64_t instance_ = 0;
  size_t txn_id_ = 0;
  std::shared_ptr<const SlotFilter> cached_;
};

// The slots set in `bits` (slot_count bits), as a SlotFilter.
std::shared_ptr<SlotFilter> slot_filter_of_bits(std::vector<uint64_t> bits);

class AllowedSet {
 public:
  // ids: any order, duplicates allowed. keys: string keys, resolved to ids
  // per snapshot (a key added later is allowed once it is committed).
  AllowedSet(std::vector<uint32_t> ids, std::vector<std::string> keys);

  // The filter for the snapshot `txn` of the index `meta` describes;
  // resolved again only when the snapshot or the index changes. Ids or keys
  // that are not stored are ignored, but a filter of the wrong kind (string
  // keys on an index of numeric ids, ids on one of string keys) is the
  // caller's mistake, not an empty set: it throws InvalidArgument.
  std::shared_ptr<const SlotFilter> resolve(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta);

  size_t requested() const { return ids_.size() + keys_.size(); }

 private:
  std::vector<uint32_t> ids_;  // ascending, unique
  std::vector<std::string> keys_;
  SnapshotFilterCache cache_;
};

}  // namespace arroy
