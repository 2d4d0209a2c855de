// Growing the memory map when a write finds it full.
//
// LMDB reserves a fixed map at open and fails a write that needs more with
// MDB_MAP_FULL, which also spoils the write transaction. Builds, index
// creation and drops therefore run through write_growing_map: the map
// doubles (Environment::grow_map, under the map gate) and the write runs
// again from the committed state. Other processes notice a grown file as
// MDB_MAP_RESIZED and adopt it (Environment::adopt_resized_map).
#pragma once

#include <utility>

#include "storage/environment.h"
#include "storage/lmdb_error.h"
#include "storage/transaction.h"

namespace arroy {

// Runs write(txn) in a fresh write transaction and commits it, unless write
// ended the transaction itself (committed or aborted it). When the map is
// full, at a write or at the commit, the transaction is aborted, the map grows
// and write runs again. So write must be a pure function of the committed
// state and of what the caller holds in memory, as a build, an index's
// creation and a drop are.
template <typename Write>
auto write_growing_map(const Environment& env, Write write) -> decltype(write(std::declval<Transaction&>())) {
  for (;;) {
    const uint64_t seen = env.map_size();
    try {
      Transaction txn;
      txn.begin(env, true);
      auto result = write(txn);
      if (txn.active()) txn.commit();
      return result;
    } catch (const MapFull&) {
      // The transaction has ended (its destructor ran), as growing needs.
      env.grow_map(seen);
    }
  }
}

}  // namespace arroy
