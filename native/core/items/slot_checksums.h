// The deep check of an index's vectors: every slot's checksum (format.h),
// free slots included, with the damaged ones named by the items they hold.
#pragma once

#include "items/index_databases.h"
#include "records/index_meta.h"
#include "storage/transaction.h"

namespace arroy {

// Verifies the checksum of every slot in every slab; throws one Corrupt error
// listing the damaged items (by id, with their keys in string-keyed indexes,
// else by slot) and how many there are. Reads every vector once.
void verify_slot_checksums(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta);

}  // namespace arroy
