#include "records/attribute_records.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "errors.h"
#include "limits.h"
#include "records/bytes.h"

namespace arroy {

namespace {

bool valid_type(uint8_t type) { return type >= 1 && type <= 3; }

void invalid_field(const std::string& name, const std::string& problem) {
  fail(ErrorCode::InvalidArgument, "attribute '" + name + "' " + problem);
}

size_t value_bytes(const AttributeScalar& v) {
  switch (v.type) {
    case AttributeType::Number: return 8;
    case AttributeType::Boolean: return 1;
    case AttributeType::String: return 2 + v.text.size();
  }
  return 0;
}

void write_value(ByteWriter& w, const AttributeScalar& v) {
  switch (v.type) {
    case AttributeType::Number: {
      uint64_t bits;
      std::memcpy(&bits, &v.number, 8);
      w.u64(bits);
      break;
    }
    case AttributeType::Boolean: w.u8(v.boolean ? 1 : 0); break;
    case AttributeType::String:
      w.u16(static_cast<uint16_t>(v.text.size()));
      w.bytes(v.text.data(), v.text.size());
      break;
  }
}

AttributeScalar read_value(ByteReader& r, AttributeType type) {
  AttributeScalar v;
  v.type = type;
  switch (type) {
    case AttributeType::Number: {
      uint64_t bits = r.u64();
      std::memcpy(&v.number, &bits, 8);
      if (!std::isfinite(v.number)) corrupt("an attribute record holds a non-finite number");
      break;
    }
    case AttributeType::Boolean: {
      uint8_t b = r.u8();
      if (b > 1) corrupt("an attribute record holds a boolean of " + std::to_string(b));
      v.boolean = b == 1;
      break;
    }
    case AttributeType::String: {
      uint16_t length = r.u16();
      if (length > kMaxAttributeStringBytes) corrupt("an attribute record holds a string beyond the limit");
      const uint8_t* p = r.bytes(length);
      v.text.assign(reinterpret_cast<const char*>(p), length);
      break;
    }
  }
  return v;
}

void put_be16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t get_be(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) v = (v << 8) | p[i];
  return v;
}

}  // namespace

const char* attribute_type_name(AttributeType type) {
  switch (type) {
    case AttributeType::String: return "string";
    case AttributeType::Number: return "number";
    case AttributeType::Boolean: return "boolean";
  }
  return "unknown";
}

bool AttributeScalar::operator==(const AttributeScalar& o) const {
  if (type != o.type) return false;
  switch (type) {
    case AttributeType::Number: return number == o.number;
    case AttributeType::Boolean: return boolean == o.boolean;
    case AttributeType::String: return text == o.text;
  }
  return false;
}

void check_attributes(Attributes& attributes) {
  if (attributes.size() > kMaxAttributeFields) {
    fail(ErrorCode::InvalidArgument, "an item may have at most " + std::to_string(kMaxAttributeFields) +
                                         " attributes, got " + std::to_string(attributes.size()));
  }
  std::sort(attributes.begin(), attributes.end(),
            [](const AttributeField& a, const AttributeField& b) { return a.name < b.name; });
  size_t bytes = 1;
  for (size_t i = 0; i < attributes.size(); i++) {
    AttributeField& field = attributes[i];
    if (field.name.empty() || field.name.size() > kMaxAttributeNameBytes) {
      fail(ErrorCode::InvalidArgument, "an attribute name must be 1 to " + std::to_string(kMaxAttributeNameBytes) +
                                           " bytes of UTF-8, got " + std::to_string(field.name.size()));
    }
    if (i > 0 && attributes[i - 1].name == field.name) invalid_field(field.name, "is given twice");
    if (!field.array && field.values.size() != 1) invalid_field(field.name, "must have exactly one value");
    if (field.values.size() > 0xFFFF) invalid_field(field.name, "has too many values");
    bytes += 5;
    for (AttributeScalar& v : field.values) {
      if (v.type != field.type) {
        invalid_field(field.name, std::string("mixes ") + attribute_type_name(field.type) + " and " +
                                      attribute_type_name(v.type) + " values");
      }
      if (v.type == AttributeType::Number) {
        if (!std::isfinite(v.number)) invalid_field(field.name, "must be a finite number");
        if (v.number == 0) v.number = 0;  // -0 and 0 are one value to a filter
      }
      if (v.type == AttributeType::String && v.text.size() > kMaxAttributeStringBytes) {
        invalid_field(field.name, "has a string of " + std::to_string(v.text.size()) + " bytes; the limit is " +
                                      std::to_string(kMaxAttributeStringBytes));
      }
      bytes += value_bytes(v);
    }
  }
  if (bytes > kMaxAttributeBytes) {
    fail(ErrorCode::InvalidArgument, "an item's attributes may take at most " + std::to_string(kMaxAttributeBytes) +
                                         " bytes encoded, these take " + std::to_string(bytes));
  }
}

int find_field(const FieldDictionary& dictionary, const std::string& name) {
  for (size_t i = 0; i < dictionary.size(); i++) {
    if (dictionary[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<uint8_t> encode_field_dictionary(const FieldDictionary& dictionary) {
  ByteWriter w;
  w.u16(static_cast<uint16_t>(dictionary.size()));
  for (const FieldDef& f : dictionary) {
    w.u8(static_cast<uint8_t>(f.type));
    w.u8(static_cast<uint8_t>(f.name.size()));
    w.bytes(f.name.data(), f.name.size());
  }
  return w.take();
}

FieldDictionary decode_field_dictionary(const void* data, size_t size) {
  ByteReader r(data, size, "field dictionary");
  const uint16_t count = r.u16();
  if (count > kMaxIndexFields) corrupt("the field dictionary has " + std::to_string(count) + " fields");
  FieldDictionary out;
  out.reserve(count);
  for (uint16_t i = 0; i < count; i++) {
    uint8_t type = r.u8();
    if (!valid_type(type)) corrupt("the field dictionary has a field of type " + std::to_string(type));
    uint8_t length = r.u8();
    if (length == 0 || length > kMaxAttributeNameBytes) corrupt("the field dictionary has a name of bad length");
    const uint8_t* p = r.bytes(length);
    FieldDef def{std::string(reinterpret_cast<const char*>(p), length), static_cast<AttributeType>(type)};
    if (find_field(out, def.name) >= 0) corrupt("the field dictionary names '" + def.name + "' twice");
    out.push_back(std::move(def));
  }
  r.expect_end();
  return out;
}

std::vector<uint8_t> encode_attribute_record(const Attributes& attributes, const FieldDictionary& dictionary) {
  struct Entry {
    uint16_t id;
    const AttributeField* field;
  };
  std::vector<Entry> entries;
  for (const AttributeField& f : attributes) {
    int id = find_field(dictionary, f.name);
    if (id < 0 || dictionary[id].type != f.type) fail(ErrorCode::InvalidArgument, "attribute '" + f.name + "' is not in the dictionary");
    entries.push_back({static_cast<uint16_t>(id), &f});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.id < b.id; });
  ByteWriter w;
  w.u8(static_cast<uint8_t>(entries.size()));
  for (const Entry& e : entries) {
    w.u16(e.id);
    w.u8(e.field->array ? kAttributeArray : 0);
    w.u16(static_cast<uint16_t>(e.field->values.size()));
    for (const AttributeScalar& v : e.field->values) write_value(w, v);
  }
  return w.take();
}

Attributes decode_attribute_record(const void* data, size_t size, const FieldDictionary& dictionary) {
  ByteReader r(data, size, "attribute record");
  const uint8_t count = r.u8();
  if (count == 0 || count > kMaxAttributeFields) corrupt("an attribute record has " + std::to_string(count) + " fields");
  Attributes out;
  out.reserve(count);
  int previous = -1;
  for (uint8_t i = 0; i < count; i++) {
    const uint16_t id = r.u16();
    if (id >= dictionary.size()) corrupt("an attribute record names field " + std::to_string(id) + ", not in the dictionary");
    if (int(id) <= previous) corrupt("an attribute record's fields are not ascending");
    previous = id;
    const uint8_t flags = r.u8();
    if (flags & ~kAttributeArray) corrupt("an attribute record has unknown flags");
    AttributeField field;
    field.name = dictionary[id].name;
    field.type = dictionary[id].type;
    field.array = (flags & kAttributeArray) != 0;
    const uint16_t values = r.u16();
    if (!field.array && values != 1) corrupt("an attribute record has a single value of " + std::to_string(values));
    // Each value takes at least a byte: a count beyond what is left is damage.
    if (values > r.remaining()) corrupt("an attribute record is truncated");
    field.values.reserve(values);
    for (uint16_t j = 0; j < values; j++) field.values.push_back(read_value(r, field.type));
    out.push_back(std::move(field));
  }
  r.expect_end();
  std::sort(out.begin(), out.end(), [](const AttributeField& a, const AttributeField& b) { return a.name < b.name; });
  return out;
}

uint64_t ordered_number_bits(double value) {
  if (value == 0) value = 0;
  uint64_t bits;
  std::memcpy(&bits, &value, 8);
  return (bits >> 63) ? ~bits : bits | (uint64_t(1) << 63);
}

double number_from_ordered_bits(uint64_t bits) {
  bits = (bits >> 63) ? bits & ~(uint64_t(1) << 63) : ~bits;
  double value;
  std::memcpy(&value, &bits, 8);
  return value;
}

std::string posting_prefix(uint16_t field, const AttributeScalar& value) {
  std::string out;
  out.reserve(kPostingFieldSize + 2 + value.text.size() + kPostingSlotSize);
  put_be16(out, field);
  switch (value.type) {
    case AttributeType::Number: put_be(out, ordered_number_bits(value.number), 8); break;
    case AttributeType::Boolean: out.push_back(value.boolean ? 1 : 0); break;
    case AttributeType::String:
      put_be16(out, static_cast<uint16_t>(value.text.size()));
      out.append(value.text);
      break;
  }
  return out;
}

std::string posting_key(uint16_t field, const AttributeScalar& value, uint32_t slot) {
  std::string out = posting_prefix(field, value);
  put_be(out, slot, 4);
  return out;
}

Posting decode_posting_key(const void* data, size_t size, const FieldDictionary& dictionary) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  if (size < kPostingFieldSize + 1 + kPostingSlotSize) corrupt("a posting key of " + std::to_string(size) + " bytes");
  Posting out;
  out.field = static_cast<uint16_t>(get_be(p, 2));
  if (out.field >= dictionary.size()) corrupt("a posting names field " + std::to_string(out.field) + ", not in the dictionary");
  out.value.type = dictionary[out.field].type;
  const size_t body = size - kPostingFieldSize - kPostingSlotSize;
  const uint8_t* v = p + kPostingFieldSize;
  switch (out.value.type) {
    case AttributeType::Number: {
      if (body != 8) corrupt("a number posting of the wrong length");
      out.value.number = number_from_ordered_bits(get_be(v, 8));
      // -0 is stored as 0, so its bits never appear in a posting.
      if (!std::isfinite(out.value.number) || (std::signbit(out.value.number) && out.value.number == 0)) {
        corrupt("a posting holds a number no write stores");
      }
      break;
    }
    case AttributeType::Boolean:
      if (body != 1 || v[0] > 1) corrupt("a boolean posting of the wrong form");
      out.value.boolean = v[0] == 1;
      break;
    case AttributeType::String: {
      if (body < 2) corrupt("a string posting of the wrong length");
      const size_t length = get_be(v, 2);
      if (body != 2 + length || length > kMaxAttributeStringBytes) corrupt("a string posting of the wrong length");
      out.value.text.assign(reinterpret_cast<const char*>(v + 2), length);
      break;
    }
  }
  out.slot = static_cast<uint32_t>(get_be(p + size - kPostingSlotSize, 4));
  return out;
}

}  // namespace arroy
