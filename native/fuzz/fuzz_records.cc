// Arbitrary bytes through every on-disk decoder of records/ (and the live
// slot reader of items/slots.h). A decoder may throw arroy::Error or succeed; anything
// else (a crash, a sanitizer report, another exception) is a finding.
//
// Input: selector u8 | dimensions byte(s) | parameters u32 | record bytes.
// The record is copied into a heap buffer of exactly its size, and every byte
// a decoded view claims is read, so a view that reaches past the record is
// an ASan heap-buffer-overflow rather than a silent misread.
//
// Dimensions follow the decoders' contract: they come from validated index
// metadata, so they lie in 1..kMaxDimensions (mostly small, to reach splits
// and slots with short inputs).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "errors.h"
#include "format.h"
#include "fuzz_input.h"
#include "items/slots.h"
#include "limits.h"
#include "records/attribute_records.h"
#include "records/file_records.h"
#include "records/index_meta.h"
#include "records/node_records.h"
#include "records/slot_records.h"
#include "records/u32_records.h"

namespace {

volatile uint8_t sink;

// Reads n bytes at p, so that ASan checks that all of them are addressable.
void touch(const void* p, size_t n) {
  const uint8_t* bytes = static_cast<const uint8_t*>(p);
  uint8_t sum = 0;
  for (size_t i = 0; i < n; i++) sum = static_cast<uint8_t>(sum + bytes[i]);
  sink = sum;
}

uint32_t draw_dimensions(FuzzInput& in) {
  uint8_t choice = in.u8();
  if (choice & 0x80) return 1 + in.u32() % arroy::kMaxDimensions;
  return 1 + choice % 16;
}

void touch_slot(const arroy::SlotView& slot, uint32_t dimensions) { touch(slot.values, 4ull * dimensions); }

void decode_node(const std::vector<uint8_t>& record, uint32_t dimensions) {
  arroy::NodeView node = arroy::decode_node(record.data(), record.size(), dimensions);
  switch (node.tag) {
    case arroy::NodeTag::Bucket:
      touch(node.ids, 4ull * node.count);
      break;
    case arroy::NodeTag::Split:
      touch(node.normal, 4ull * dimensions);
      break;
    case arroy::NodeTag::RandomSplit:
      break;
  }
}

void decode_meta(const std::vector<uint8_t>& record) {
  arroy::IndexMeta meta = arroy::decode_index_meta(record.data(), record.size());
  // A decoded record encodes back to one that decodes to the same metadata.
  std::vector<uint8_t> again = arroy::encode_index_meta(meta);
  arroy::IndexMeta twice = arroy::decode_index_meta(again.data(), again.size());
  if (twice.roots != meta.roots || twice.dimensions != meta.dimensions || twice.slot_count != meta.slot_count) {
    __builtin_trap();
  }
}

void decode_catalog(const std::vector<uint8_t>& record) {
  std::vector<arroy::CatalogEntry> entries = arroy::decode_catalog(record.data(), record.size());
  std::vector<uint8_t> again = arroy::encode_catalog(entries);
  std::vector<arroy::CatalogEntry> twice = arroy::decode_catalog(again.data(), again.size());
  if (twice.size() != entries.size()) __builtin_trap();
  for (size_t i = 0; i < entries.size(); i++) {
    if (twice[i].index != entries[i].index || twice[i].name != entries[i].name) __builtin_trap();
  }
}

void read_slot(const std::vector<uint8_t>& record, uint32_t dimensions, uint32_t parameters) {
  // Small slab shapes, so that short inputs can match a slab's exact size.
  const uint32_t slots_per_slab = 1 + (parameters & 0xFF);
  const uint32_t position = (parameters >> 8) & 0x1FF;
  touch_slot(arroy::read_slot(record.data(), record.size(), position, dimensions, slots_per_slab), dimensions);
}

void read_live_slot(const std::vector<uint8_t>& record, uint32_t dimensions) {
  // Its caller guarantees slot_size(dimensions) bytes (ReadView checked the slab).
  if (record.size() != arroy::slot_size(dimensions)) return;
  touch_slot(arroy::read_live_slot(record.data(), dimensions), dimensions);
}

// A dictionary of one field per type, so that records and postings of every
// type decode.
const arroy::FieldDictionary& fuzz_dictionary() {
  static const arroy::FieldDictionary dictionary = {
      {"s", arroy::AttributeType::String}, {"n", arroy::AttributeType::Number}, {"b", arroy::AttributeType::Boolean}};
  return dictionary;
}

void decode_attributes(const std::vector<uint8_t>& record) {
  arroy::Attributes attributes = arroy::decode_attribute_record(record.data(), record.size(), fuzz_dictionary());
  // What decodes encodes back to the same bytes (fields are stored ascending by id).
  if (arroy::encode_attribute_record(attributes, fuzz_dictionary()) != record) __builtin_trap();
}

void decode_dictionary(const std::vector<uint8_t>& record) {
  arroy::FieldDictionary dictionary = arroy::decode_field_dictionary(record.data(), record.size());
  if (arroy::encode_field_dictionary(dictionary) != record) __builtin_trap();
}

void decode_posting(const std::vector<uint8_t>& record) {
  arroy::Posting posting = arroy::decode_posting_key(record.data(), record.size(), fuzz_dictionary());
  const std::string again = arroy::posting_key(posting.field, posting.value, posting.slot);
  if (again.size() != record.size() || std::memcmp(again.data(), record.data(), record.size()) != 0) __builtin_trap();
}

void decode(uint8_t selector, const std::vector<uint8_t>& record, uint32_t dimensions, uint32_t parameters) {
  switch (selector % 11) {
    case 0:
      decode_node(record, dimensions);
      break;
    case 1:
      decode_meta(record);
      break;
    case 2:
      decode_catalog(record);
      break;
    case 3:
      arroy::check_file_header(record.data(), record.size());
      break;
    case 4:
      arroy::decode_u32_list(record.data(), record.size(), "fuzzed list");
      break;
    case 5:
      arroy::decode_u32(record.data(), record.size(), "fuzzed u32");
      break;
    case 6:
      read_slot(record, dimensions, parameters);
      break;
    case 7:
      read_live_slot(record, dimensions);
      break;
    case 8:
      decode_dictionary(record);
      break;
    case 9:
      decode_attributes(record);
      break;
    case 10:
      decode_posting(record);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  const uint8_t selector = in.u8();
  const uint32_t dimensions = draw_dimensions(in);
  const uint32_t parameters = in.u32();
  const std::vector<uint8_t> record = in.rest();  // exactly sized: ASan guards its end
  try {
    decode(selector, record, dimensions, parameters);
  } catch (const arroy::Error&) {
    // The expected way to refuse a record.
  }
  return 0;
}
