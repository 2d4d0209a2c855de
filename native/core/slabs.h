// Access to an index's vectors by slot (see format.h for why vectors live in
// slabs). Reads go through SnapshotView (snapshot.h), which remembers slab
// addresses; SlabEditor applies a batch of adds and deletes, rewriting each
// touched slab once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "distance.h"
#include "records.h"
#include "storage.h"

namespace arroy {

// The LMDB databases of one index.
struct IndexDatabases {
  IndexId index = 0;
  MDB_dbi slabs = 0;
  MDB_dbi ids = 0;
  MDB_dbi nodes = 0;
  MDB_dbi keys = 0;       // string key -> id
  MDB_dbi key_names = 0;  // id -> string key
};

// The specs of index `index`'s databases, in IndexDatabases order.
std::vector<Environment::DatabaseSpec> index_database_specs(IndexId index);
// Opens (or finds) the databases of an existing index.
IndexDatabases open_index_databases(Environment& env, IndexId index);

// Decodes a slot whose bytes were bounds-checked by SnapshotView::slot_address();
// a free slot is corruption, since only trees and id records refer to slots.
SlotView read_live_slot(const uint8_t* slot, uint32_t dimensions);
// The live slot `slot` in `slab`, the record of slab slot / slots_per_slab
// (data null: none was found), after checking the record's size.
SlotView live_slot_in(const MDB_val& slab, uint32_t slot, const IndexMeta& meta);

// Checks the counts in an index's metadata against what its databases hold,
// so that a damaged count cannot make a reader allocate for billions of slots.
void check_meta_counts(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta);

// Calls visit(slot, view) for every live slot, in slot order. The views point
// into the transaction's pages: valid until it next writes.
void for_each_live_slot(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta,
                        const std::function<void(uint32_t, const SlotView&)>& visit);

// The slot of an item id, if stored.
std::optional<uint32_t> find_slot(const Transaction& txn, MDB_dbi ids, uint32_t id);

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
