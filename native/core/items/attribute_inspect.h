// check()'s and stats()'s view of an index's attributes: the dictionary, the
// records and the inverted index, and the invariants that tie them together.
#pragma once

#include <cstdint>
#include <functional>

#include "items/index_databases.h"
#include "records/attribute_records.h"
#include "records/index_meta.h"
#include "storage/transaction.h"

namespace arroy {

struct AttributeStats {
  FieldDictionary fields;  // in id order, with their types
  uint64_t items = 0;      // items with attributes
  uint64_t postings = 0;   // entries of the inverted index
};

// With verify, throws Corrupt on the first broken invariant: every record
// decodes and belongs to a stored item; every posting decodes and names a
// live slot; there are as many postings as the records' distinct values.
// With deep too, every value of every record has its posting (which, with
// the count, makes the two sides equal).
AttributeStats inspect_attributes(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs,
                                  const IndexMeta& meta, const std::function<bool(uint32_t)>& live, bool verify,
                                  bool deep);

}  // namespace arroy
