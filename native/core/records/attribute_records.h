// The attribute records of format.h: the field dictionary, an item's
// attribute record and the posting keys of the inverted index. Values are
// checked against limits.h when they are made (check_attributes), and every
// decoder checks what it reads, so a damaged record is Corrupt, never a read
// out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format.h"

namespace arroy {

const char* attribute_type_name(AttributeType type);

// One value of an attribute: `type` says which member holds it.
struct AttributeScalar {
  AttributeType type = AttributeType::String;
  std::string text;
  double number = 0;
  bool boolean = false;

  bool operator==(const AttributeScalar& o) const;
};

// One field of an item: a single value, or an array of values of one type.
struct AttributeField {
  std::string name;
  AttributeType type = AttributeType::String;
  bool array = false;
  std::vector<AttributeScalar> values;  // exactly one unless array
};

// An item's attributes, ascending by name, each name once.
using Attributes = std::vector<AttributeField>;

struct FieldDef {
  std::string name;
  AttributeType type;
};
// Field id -> field: the position in the dictionary is the id.
using FieldDictionary = std::vector<FieldDef>;

// Sorts by name, stores -0 as 0, and throws InvalidArgument naming the field
// for anything outside limits.h or the types: an empty or long name, a
// duplicate name, a non-finite number, an array mixing types, too many
// fields or too many bytes.
void check_attributes(Attributes& attributes);

// The id of `name`; -1 when the dictionary lacks it.
int find_field(const FieldDictionary& dictionary, const std::string& name);

std::vector<uint8_t> encode_field_dictionary(const FieldDictionary& dictionary);
FieldDictionary decode_field_dictionary(const void* data, size_t size);

// Every field of `attributes` must be in `dictionary` with its type.
std::vector<uint8_t> encode_attribute_record(const Attributes& attributes, const FieldDictionary& dictionary);
Attributes decode_attribute_record(const void* data, size_t size, const FieldDictionary& dictionary);

// Order-preserving bits of a finite double (format.h, postings).
uint64_t ordered_number_bits(double value);
double number_from_ordered_bits(uint64_t bits);

// The key prefix of one field's postings of `value` (field | value), and a
// whole posting key (prefix | slot).
std::string posting_prefix(uint16_t field, const AttributeScalar& value);
std::string posting_key(uint16_t field, const AttributeScalar& value, uint32_t slot);

struct Posting {
  uint16_t field = 0;
  AttributeScalar value;
  uint32_t slot = 0;
};
Posting decode_posting_key(const void* data, size_t size, const FieldDictionary& dictionary);

}  // namespace arroy
