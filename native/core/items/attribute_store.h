// Items' attributes in an index's databases (format.h, attributes): reading
// the field dictionary and an item's record, and, in a build's write
// transaction, keeping the records and the inverted index in step with the
// batch, in work proportional to the batch.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "items/index_databases.h"
#include "records/attribute_records.h"
#include "storage/transaction.h"

namespace arroy {

// Pending attributes by id (by key for string-keyed indexes): an item added
// without any has no entry.
using AttributeBatch = std::map<uint32_t, Attributes>;
using KeyedAttributeBatch = std::map<std::string, Attributes>;

// The committed dictionary (empty when the index never had attributes).
FieldDictionary read_field_dictionary(const Transaction& txn, MDB_dbi main, IndexId index);

// The attributes of `id`: nullopt when it has no record (an item without
// attributes, or one not stored).
std::optional<Attributes> read_item_attributes(const Transaction& txn, const IndexDatabases& dbs,
                                               const FieldDictionary& dictionary, uint32_t id);

// The posting keys of an item's attributes at `slot`, each once (an array
// may repeat a value).
std::vector<std::string> item_posting_keys(const Attributes& attributes, const FieldDictionary& dictionary,
                                           uint32_t slot);

// A build's edits. forget() runs before the slabs change (it needs the
// item's committed slot), store() after (it needs the new one).
class AttributeEditor {
 public:
  AttributeEditor(Transaction& txn, MDB_dbi main, const IndexDatabases& dbs);
  // Removes the record and postings of `id`, if it has any.
  void forget(uint32_t id);
  // Writes the record and postings of `id` at `slot`, adding new fields to
  // the dictionary; a field written with another type than the one it has
  // throws InvalidArgument naming it (the build then commits nothing).
  void store(uint32_t id, uint32_t slot, const Attributes& attributes);
  // Writes the dictionary if it grew.
  void finish();

 private:
  Transaction& txn_;
  MDB_dbi main_;
  IndexDatabases dbs_;
  FieldDictionary dictionary_;
  bool grew_ = false;
};

}  // namespace arroy
