// A read view of one index: a read snapshot, with the addresses of its slabs
// and tree nodes remembered across calls for as long as the snapshot stays
// the newest.
//
// Why this is safe: Index resets its read transaction after every call and
// renews it on the next. When the renewed snapshot has the same transaction id
// as the cached one, nothing was committed in between, so every page of that
// snapshot is still live in the memory map and the remembered addresses still
// point at the same bytes. Any commit changes the id and drops the cache.
// (Growing the map moves it: attach() notices by the map generation.)
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <vector>

#include "items/index_databases.h"
#include "items/lazy_directory.h"
#include "items/slots.h"
#include "records/graph_records.h"
#include "records/index_meta.h"
#include "records/node_records.h"
#include "storage/transaction.h"

namespace arroy {

class ReadView {
 public:
  // Makes the view current for txn (a read snapshot of the index dbs).
  void attach(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs);
  void forget();

  const IndexMeta& meta() const { return meta_; }
  const IndexDatabases& databases() const { return dbs_; }
  MDB_dbi main_database() const { return main_; }
  const Transaction& transaction() const { return *txn_; }

  // Tree node `id`, bounds-checked and decoded.
  NodeView node(uint32_t id);
  // The start of live-or-free slot `slot` (slot_size(dimensions) bytes).
  const uint8_t* slot_address(uint32_t slot);
  // The live slot `slot`, its checksum verified: for the calls that return or
  // start from one stored vector (get, distanceBetween, searchById), where
  // the check costs well under their own overhead. Searches read candidates
  // through slot_address() unverified (docs/FORMAT.md#checksums says why).
  SlotView live_slot(uint32_t slot);

  // The graph record, or null when the index has no graph.
  const GraphRecord* graph() const { return has_graph_ ? &graph_ : nullptr; }
  // The stored edges of `slot` (< slot_count): empty when it has none.
  LinkList links(uint32_t slot);

 private:
  const Transaction* txn_ = nullptr;
  MDB_dbi main_ = 0;
  IndexDatabases dbs_;
  size_t txn_id_ = 0;  // 0: nothing cached
  uint64_t generation_ = 0;  // the map generation of the cached addresses
  IndexMeta meta_;
  LazyDirectory<const uint8_t*> slabs_;  // by slab number; null until first use
  LazyDirectory<MDB_val> nodes_;         // by node id; mv_data null until first use
  bool has_graph_ = false;
  GraphRecord graph_;
  LazyDirectory<LinkList> links_;        // by slot; bytes null until first use (then a sentinel if none)
};

}  // namespace arroy
