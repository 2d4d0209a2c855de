#include "items/attribute_inspect.h"

#include "errors.h"
#include "items/attribute_store.h"
#include "items/slots.h"
#include "storage/cursor.h"

namespace arroy {

AttributeStats inspect_attributes(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs,
                                  const IndexMeta& meta, const std::function<bool(uint32_t)>& live, bool verify,
                                  bool deep) {
  AttributeStats stats;
  stats.fields = read_field_dictionary(txn, main, dbs.index);
  stats.items = txn.entries(dbs.attributes);
  stats.postings = txn.entries(dbs.postings);
  if (!verify) return stats;

  uint64_t expected = 0;
  {
    Cursor cursor(txn, dbs.attributes);
    MDB_val value;
    uint32_t id;
    for (bool more = cursor.first(&id, &value); more; more = cursor.next(&id, &value)) {
      Attributes attributes = decode_attribute_record(value.mv_data, value.mv_size, stats.fields);
      std::optional<uint32_t> slot = find_slot(txn, dbs.ids, id);
      if (!slot) corrupt("item " + std::to_string(id) + " has attributes but is not stored");
      std::vector<std::string> keys = item_posting_keys(attributes, stats.fields, *slot);
      expected += keys.size();
      if (!deep) continue;
      for (const std::string& key : keys) {
        MDB_val posting;
        if (!txn.get(dbs.postings, key, &posting)) {
          corrupt("item " + std::to_string(id) + " lacks a posting of its attributes");
        }
      }
    }
  }
  {
    KeyCursor cursor(txn, dbs.postings);
    MDB_val k, v;
    for (bool more = cursor.first(&k, &v); more; more = cursor.next(&k, &v)) {
      Posting posting = decode_posting_key(k.mv_data, k.mv_size, stats.fields);
      if (posting.slot >= meta.slot_count || !live(posting.slot)) {
        corrupt("a posting of attribute '" + stats.fields[posting.field].name + "' names a slot that is not live");
      }
      if (v.mv_size != 0) corrupt("a posting has a value");
    }
  }
  if (expected != stats.postings) {
    corrupt("the inverted index holds " + std::to_string(stats.postings) + " postings; the attributes have " +
            std::to_string(expected) + " values");
  }
  return stats;
}

}  // namespace arroy
