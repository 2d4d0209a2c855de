// Applies a build's batch of adds and deletes to an index's slabs: each
// touched slab is read once, edited in memory and written back once, and
// freed slots are reused before the slot count grows.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "items/index_databases.h"
#include "records/index_meta.h"
#include "storage/transaction.h"

namespace arroy {

class SlabEditor {
 public:
  SlabEditor(Transaction& txn, MDB_dbi main, const IndexDatabases& dbs, IndexMeta& meta);
  void put(uint32_t id, const std::vector<float>& values, float norm);
  void remove(uint32_t id);
  // Writes the touched slabs, the free list and the counters into meta.
  void finish();

 private:
  std::vector<uint8_t>& slab(uint32_t number);

  Transaction& txn_;
  MDB_dbi main_;
  IndexDatabases dbs_;
  IndexMeta& meta_;
  std::set<uint32_t> free_;
  std::map<uint32_t, std::vector<uint8_t>> touched_;
};

}  // namespace arroy
