// Reading an index's vectors by slot (format.h explains why vectors live in
// slabs of slots). Searches read through ReadView (read_view.h), which
// remembers slab addresses; these are the plain reads the rest of the core
// shares.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <optional>

#include "items/index_databases.h"
#include "records/index_meta.h"
#include "records/slot_records.h"
#include "storage/transaction.h"

namespace arroy {

// Decodes a slot whose bytes were bounds-checked by ReadView::slot_address();
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

}  // namespace arroy
