// The attribute codecs (records/attribute_records.h): round trips, the order
// of number postings, the checks of check_attributes, and every decoder fed
// truncations and bit flips of valid records (each either rejected as
// Corrupt or decoded to something that encodes back to the same bytes).
// Inputs are copied into exactly sized heap blocks, so under ASan a read one
// byte too far fails.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "errors.h"
#include "harness.h"
#include "limits.h"
#include "records/attribute_records.h"

using arroy::AttributeField;
using arroy::AttributeScalar;
using arroy::Attributes;
using arroy::AttributeType;
using arroy::ErrorCode;
using arroy::FieldDictionary;
using Bytes = std::vector<uint8_t>;

namespace {

AttributeScalar text(const std::string& s) {
  AttributeScalar v;
  v.type = AttributeType::String;
  v.text = s;
  return v;
}
AttributeScalar number(double d) {
  AttributeScalar v;
  v.type = AttributeType::Number;
  v.number = d;
  return v;
}
AttributeScalar boolean(bool b) {
  AttributeScalar v;
  v.type = AttributeType::Boolean;
  v.boolean = b;
  return v;
}
AttributeField field(const std::string& name, std::vector<AttributeScalar> values, bool array = false) {
  AttributeField f;
  f.name = name;
  f.type = values.empty() ? AttributeType::String : values[0].type;
  f.array = array;
  f.values = std::move(values);
  return f;
}

const FieldDictionary kDictionary = {
    {"genre", AttributeType::String}, {"year", AttributeType::Number}, {"live", AttributeType::Boolean},
    {"tags", AttributeType::String},  {"scores", AttributeType::Number}};

Attributes sample() {
  Attributes a = {field("year", {number(1994)}), field("genre", {text("rock")}), field("live", {boolean(true)}),
                  field("tags", {text("a"), text(""), text("grunge")}, true),
                  field("scores", {number(-1.5), number(1e300)}, true)};
  arroy::check_attributes(a);
  return a;
}

bool same(const Attributes& a, const Attributes& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (a[i].name != b[i].name || a[i].type != b[i].type || a[i].array != b[i].array || !(a[i].values.size() == b[i].values.size())) return false;
    for (size_t j = 0; j < a[i].values.size(); j++) {
      if (!(a[i].values[j] == b[i].values[j])) return false;
    }
  }
  return true;
}

// Runs decode over an exactly sized heap copy: it must throw Corrupt or succeed.
void rejected_or_valid(const Bytes& bytes, size_t size, const std::function<void(const uint8_t*, size_t)>& decode) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[size]);
  if (size) std::memcpy(copy.get(), bytes.data(), size);
  try {
    decode(copy.get(), size);
  } catch (const arroy::Error& e) {
    CHECK(e.code() == ErrorCode::Corrupt);
  }
}

// Truncations and single-bit flips of a valid record.
void hostile(const Bytes& valid, const std::function<void(const uint8_t*, size_t)>& decode) {
  for (size_t n = 0; n < valid.size(); n++) rejected_or_valid(valid, n, decode);
  for (size_t bit = 0; bit < valid.size() * 8; bit++) {
    Bytes flipped = valid;
    flipped[bit / 8] ^= uint8_t(1) << (bit % 8);
    rejected_or_valid(flipped, flipped.size(), decode);
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; round++) {
    Bytes junk(rng() % 48);
    for (uint8_t& b : junk) b = static_cast<uint8_t>(rng());
    rejected_or_valid(junk, junk.size(), decode);
  }
}

}  // namespace

TEST(attribute_record_round_trip) {
  Attributes a = sample();
  Bytes bytes = arroy::encode_attribute_record(a, kDictionary);
  Attributes back = arroy::decode_attribute_record(bytes.data(), bytes.size(), kDictionary);
  CHECK(same(a, back));
  CHECK_EQ(back[0].name, std::string("genre"));  // ascending by name
}

TEST(field_dictionary_round_trip) {
  Bytes bytes = arroy::encode_field_dictionary(kDictionary);
  FieldDictionary back = arroy::decode_field_dictionary(bytes.data(), bytes.size());
  CHECK_EQ(back.size(), kDictionary.size());
  for (size_t i = 0; i < back.size(); i++) {
    CHECK_EQ(back[i].name, kDictionary[i].name);
    CHECK(back[i].type == kDictionary[i].type);
  }
  CHECK_EQ(arroy::find_field(back, "live"), 2);
  CHECK_EQ(arroy::find_field(back, "colour"), -1);
}

TEST(number_postings_sort_like_numbers) {
  std::vector<double> values = {-std::numeric_limits<double>::max(), -1e10, -2.5, -1, -1e-300, 0, 1e-300, 0.5, 1,
                                3, 1e20, std::numeric_limits<double>::max()};
  for (size_t i = 0; i + 1 < values.size(); i++) {
    CONTEXT("values " << values[i] << " < " << values[i + 1]);
    CHECK(arroy::ordered_number_bits(values[i]) < arroy::ordered_number_bits(values[i + 1]));
    CHECK(arroy::posting_key(1, number(values[i]), 0xFFFFFFFFu) < arroy::posting_key(1, number(values[i + 1]), 0));
    CHECK_EQ(arroy::number_from_ordered_bits(arroy::ordered_number_bits(values[i])), values[i]);
  }
  CHECK_EQ(arroy::ordered_number_bits(-0.0), arroy::ordered_number_bits(0.0));
  // Field first, then value, then slot: one field's postings are one run.
  CHECK(arroy::posting_key(1, number(1e300), 9) < arroy::posting_key(2, number(-1e300), 0));
  CHECK(arroy::posting_key(0, text("ab"), 1) < arroy::posting_key(0, text("ab"), 2));
}

TEST(posting_keys_round_trip) {
  const std::vector<std::pair<uint16_t, AttributeScalar>> cases = {
      {0, text("rock")}, {0, text("")}, {1, number(-3.25)}, {2, boolean(true)}, {2, boolean(false)}};
  for (const auto& c : cases) {
    std::string key = arroy::posting_key(c.first, c.second, 123456);
    arroy::Posting p = arroy::decode_posting_key(key.data(), key.size(), kDictionary);
    CHECK_EQ(p.field, c.first);
    CHECK(p.value == c.second);
    CHECK_EQ(p.slot, 123456u);
    CHECK_EQ(key.compare(0, std::string::npos, arroy::posting_prefix(c.first, c.second) + key.substr(key.size() - 4)), 0);
  }
}

TEST(check_attributes_refuses_what_the_limits_do_not_allow) {
  auto refuses = [](Attributes a) { CHECK_THROWS_CODE(arroy::check_attributes(a), ErrorCode::InvalidArgument); };
  refuses({field("", {text("x")})});
  refuses({field(std::string(arroy::kMaxAttributeNameBytes + 1, 'n'), {text("x")})});
  refuses({field("a", {text("x")}), field("a", {text("y")})});
  refuses({field("a", {number(NAN)})});
  refuses({field("a", {number(INFINITY)})});
  refuses({field("a", {text("x"), number(1)}, true)});
  refuses({field("a", {text("x"), text("y")})});  // two values, not an array
  refuses({field("a", {text(std::string(arroy::kMaxAttributeStringBytes + 1, 's'))})});
  Attributes many;
  for (uint32_t i = 0; i <= arroy::kMaxAttributeFields; i++) many.push_back(field("f" + std::to_string(i), {number(i)}));
  refuses(many);
  std::vector<AttributeScalar> big;
  for (size_t i = 0; i < arroy::kMaxAttributeBytes / 8 + 1; i++) big.push_back(number(double(i)));
  refuses({field("a", big, true)});
  Attributes zero = {field("z", {number(-0.0)})};
  arroy::check_attributes(zero);
  CHECK(!std::signbit(zero[0].values[0].number));
}

TEST(hostile_attribute_records) {
  hostile(arroy::encode_attribute_record(sample(), kDictionary), [](const uint8_t* p, size_t n) {
    Attributes a = arroy::decode_attribute_record(p, n, kDictionary);
    Bytes again = arroy::encode_attribute_record(a, kDictionary);
    CHECK(again.size() == n && std::memcmp(again.data(), p, n) == 0);
  });
}

TEST(hostile_field_dictionaries) {
  hostile(arroy::encode_field_dictionary(kDictionary), [](const uint8_t* p, size_t n) {
    FieldDictionary d = arroy::decode_field_dictionary(p, n);
    Bytes again = arroy::encode_field_dictionary(d);
    CHECK(again.size() == n && std::memcmp(again.data(), p, n) == 0);
  });
}

TEST(hostile_posting_keys) {
  for (const AttributeScalar& v : {text("grunge"), number(-7.5), boolean(true)}) {
    uint16_t id = v.type == AttributeType::String ? 0 : v.type == AttributeType::Number ? 1 : 2;
    std::string key = arroy::posting_key(id, v, 42);
    hostile(Bytes(key.begin(), key.end()), [](const uint8_t* p, size_t n) {
      arroy::Posting posting = arroy::decode_posting_key(p, n, kDictionary);
      std::string again = arroy::posting_key(posting.field, posting.value, posting.slot);
      CHECK(again.size() == n && std::memcmp(again.data(), p, n) == 0);
    });
  }
}
