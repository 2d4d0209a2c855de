// Attribute filters: a predicate over items' attributes (the `where` of a
// search), resolved through the inverted index (format.h, postings) into the
// same slot bitmap an AllowedSet gives, so that every strategy and the cost
// model treat both alike.
//
// What a predicate may say is checked against the committed field
// dictionary as it resolves: a field the index has never seen, or a value
// of another type than the field's, is InvalidArgument, not an empty set.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "items/index_databases.h"
#include "records/attribute_records.h"
#include "records/index_meta.h"
#include "search/filter.h"
#include "storage/transaction.h"

namespace arroy {

enum class WhereOp : uint8_t {
  And,    // every child (none: every item)
  Or,     // any child (none: no item)
  Not,    // every item the one child does not match (items without the field included)
  Eq,     // field has values[0] (an array field: among its values)
  Ne,     // Not of Eq
  In,     // field has any of values
  Range,  // a number field has a value within the bounds
};

struct WhereNode {
  WhereOp op = WhereOp::And;
  std::vector<WhereNode> children;
  std::string field;
  std::vector<AttributeScalar> values;
  // Range: each bound is optional; inclusive or not.
  bool has_lower = false, lower_inclusive = false, has_upper = false, upper_inclusive = false;
  double lower = 0, upper = 0;
};

// The same predicate as the same bytes, whatever object spelled it.
std::string canonical_key(const WhereNode& node);

class AttributeFilter;

// The filters of the predicates an index was recently searched with, so that
// a predicate given again (a new object each call, as JS callers do) finds
// its slot set already resolved for the snapshot. Shared by every thread
// searching the index.
class WhereCache {
 public:
  // The filter of `root` (validated, as the AttributeFilter constructor does).
  std::shared_ptr<AttributeFilter> get(WhereNode root);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<AttributeFilter>> filters_;
};

class AttributeFilter {
 public:
  // Throws InvalidArgument for a malformed tree (a depth beyond
  // kMaxWhereDepth, too many values, a Not without exactly one child).
  explicit AttributeFilter(WhereNode root);

  // The matching slots of snapshot `txn`, resolved again only when the
  // snapshot or the index changes.
  std::shared_ptr<const SlotFilter> resolve(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs,
                                            const IndexMeta& meta);

 private:
  WhereNode root_;
  SnapshotFilterCache cache_;
};

}  // namespace arroy
