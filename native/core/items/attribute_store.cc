#include "items/attribute_store.h"

#include <algorithm>

#include "errors.h"
#include "items/slots.h"
#include "limits.h"

namespace arroy {

FieldDictionary read_field_dictionary(const Transaction& txn, MDB_dbi main, IndexId index) {
  MDB_val value;
  if (!txn.get(main, fields_key(index), &value)) return {};
  return decode_field_dictionary(value.mv_data, value.mv_size);
}

std::optional<Attributes> read_item_attributes(const Transaction& txn, const IndexDatabases& dbs,
                                               const FieldDictionary& dictionary, uint32_t id) {
  MDB_val value;
  if (!txn.get(dbs.attributes, id, &value)) return std::nullopt;
  return decode_attribute_record(value.mv_data, value.mv_size, dictionary);
}

std::vector<std::string> item_posting_keys(const Attributes& attributes, const FieldDictionary& dictionary,
                                           uint32_t slot) {
  std::vector<std::string> keys;
  for (const AttributeField& field : attributes) {
    int id = find_field(dictionary, field.name);
    if (id < 0) corrupt("attribute '" + field.name + "' is not in the field dictionary");
    for (const AttributeScalar& v : field.values) keys.push_back(posting_key(static_cast<uint16_t>(id), v, slot));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

AttributeEditor::AttributeEditor(Transaction& txn, MDB_dbi main, const IndexDatabases& dbs)
    : txn_(txn), main_(main), dbs_(dbs), dictionary_(read_field_dictionary(txn, main, dbs.index)) {}

void AttributeEditor::forget(uint32_t id) {
  std::optional<Attributes> old = read_item_attributes(txn_, dbs_, dictionary_, id);
  if (!old) return;
  std::optional<uint32_t> slot = find_slot(txn_, dbs_.ids, id);
  if (!slot) corrupt("item " + std::to_string(id) + " has attributes but no slot");
  for (const std::string& key : item_posting_keys(*old, dictionary_, *slot)) {
    if (!txn_.del(dbs_.postings, key)) corrupt("item " + std::to_string(id) + " lacks a posting of its attributes");
  }
  txn_.del(dbs_.attributes, id);
}

void AttributeEditor::store(uint32_t id, uint32_t slot, const Attributes& attributes) {
  if (attributes.empty()) return;
  for (const AttributeField& field : attributes) {
    int known = find_field(dictionary_, field.name);
    if (known >= 0) {
      if (dictionary_[known].type != field.type) {
        fail(ErrorCode::InvalidArgument, "attribute '" + field.name + "' holds " +
                                             attribute_type_name(dictionary_[known].type) + " values, not " +
                                             attribute_type_name(field.type));
      }
      continue;
    }
    if (dictionary_.size() >= kMaxIndexFields) {
      fail(ErrorCode::InvalidArgument, "an index may have at most " + std::to_string(kMaxIndexFields) +
                                           " attribute fields; '" + field.name + "' would be one more");
    }
    dictionary_.push_back({field.name, field.type});
    grew_ = true;
  }
  txn_.put(dbs_.attributes, id, encode_attribute_record(attributes, dictionary_));
  for (const std::string& key : item_posting_keys(attributes, dictionary_, slot)) {
    txn_.put(dbs_.postings, key, std::vector<uint8_t>());
  }
}

void AttributeEditor::finish() {
  if (grew_) txn_.put(main_, fields_key(dbs_.index), encode_field_dictionary(dictionary_));
  grew_ = false;
}

}  // namespace arroy
