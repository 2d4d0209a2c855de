// Record codecs (records/): round trips, slab sizing, and the decoders'
// robustness against hostile bytes.
//
// Every decoder reads bytes that come straight from a file, so each one is
// fed truncations, random byte strings and bit-flipped valid records. The
// contract checked is: a decoder either returns a record that satisfies the
// format's invariants, or throws arroy::Error with Corrupt, NotAnIndex or
// FormatVersion; nothing else ever escapes. Inputs are copied into heap
// blocks of exactly their length, so under ASan a decoder that reads even one
// byte too far (or keeps a view that reaches past the record) fails loudly.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "checksum/crc32c.h"
#include "distance/metric.h"
#include "format.h"
#include "harness.h"
#include "limits.h"
#include "records/bytes.h"
#include "records/file_records.h"
#include "records/index_meta.h"
#include "records/node_records.h"
#include "records/slot_records.h"
#include "records/u32_records.h"

using arroy::ErrorCode;
using arroy::IndexMeta;
using arroy::Metric;
using arroy::NodeTag;
using arroy::NodeView;
using Bytes = std::vector<uint8_t>;

namespace {

// One node record each, through the appending encoders.
Bytes encode_bucket(const uint32_t* ids, size_t count) {
  arroy::ByteWriter w;
  arroy::append_bucket(w, ids, count);
  return w.take();
}
Bytes encode_split(uint32_t left, uint32_t right, float offset, float extra, const void* normal, uint32_t dims) {
  arroy::ByteWriter w;
  arroy::append_split(w, left, right, offset, extra, normal, dims);
  return w.take();
}
Bytes encode_random_split(uint32_t left, uint32_t right) {
  arroy::ByteWriter w;
  arroy::append_random_split(w, left, right);
  return w.take();
}

// A heap copy of some bytes whose allocation ends exactly at the last byte
// (new[0] for no bytes, which ASan treats as zero accessible bytes).
class Exact {
 public:
  Exact(const uint8_t* data, size_t size) : size_(size), bytes_(new uint8_t[size]) {
    if (size) std::memcpy(bytes_.get(), data, size);
  }
  explicit Exact(const Bytes& bytes, size_t size) : Exact(bytes.data(), size) {}
  explicit Exact(const Bytes& bytes) : Exact(bytes.data(), bytes.size()) {}
  const uint8_t* data() const { return bytes_.get(); }
  size_t size() const { return size_; }

 private:
  size_t size_;
  std::unique_ptr<uint8_t[]> bytes_;
};

// Reads every byte of a view so that ASan checks it lies inside the record.
volatile uint32_t g_sink = 0;
void touch(const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  uint32_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += b[i];
  g_sink = g_sink + sum;
}

float f32_at(const void* base, size_t i) {
  float v;
  std::memcpy(&v, static_cast<const uint8_t*>(base) + 4 * i, 4);
  return v;
}

void put_u32(Bytes& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }
void put_f32(Bytes& b, size_t at, float v) { std::memcpy(b.data() + at, &v, 4); }

bool is_decode_error(ErrorCode code) {
  return code == ErrorCode::Corrupt || code == ErrorCode::NotAnIndex || code == ErrorCode::FormatVersion;
}

// ---------------------------------------------------------------- decoders under test
//
// Each decodes one byte string, then checks what a successful decode promises
// (reporting a failure if the promise is broken) and touches every view.

struct Decoder {
  std::string name;
  std::function<void(const uint8_t*, size_t)> run;
};

void decode_header(const uint8_t* p, size_t n) {
  arroy::check_file_header(p, n);
  CHECK_EQ(n, arroy::kFileHeaderSize);
}

void decode_catalog_checked(const uint8_t* p, size_t n) {
  std::vector<arroy::CatalogEntry> entries = arroy::decode_catalog(p, n);
  size_t bytes = 4;
  for (const arroy::CatalogEntry& e : entries) {
    CHECK(e.index < arroy::kMaxIndexesPerFile);
    CHECK(e.name.size() <= arroy::kMaxIndexNameBytes);
    touch(e.name.data(), e.name.size());
    bytes += 4 + e.name.size();
  }
  CHECK_EQ(bytes, n);
}

void decode_meta_checked(const uint8_t* p, size_t n) {
  IndexMeta meta = arroy::decode_index_meta(p, n);
  CHECK_EQ(meta.format_version, arroy::kFormatVersion);
  CHECK(meta.dimensions >= 1 && meta.dimensions <= arroy::kMaxDimensions);
  CHECK(arroy::is_valid_metric_byte(static_cast<uint8_t>(meta.metric)));
  CHECK(meta.bucket_capacity >= arroy::kMinBucketCapacity && meta.bucket_capacity <= arroy::kMaxBucketCapacity);
  CHECK(meta.slots_per_slab >= 1);
  CHECK(meta.item_count <= meta.slot_count);
  CHECK(std::isfinite(meta.max_norm) && meta.max_norm >= 0);
  CHECK_EQ(n, arroy::kIndexMetaFixedSize + 4 * meta.roots.size());
  for (uint32_t root : meta.roots) CHECK(root < meta.node_count);
}

void decode_node_checked(const uint8_t* p, size_t n, uint32_t dims) {
  NodeView node = arroy::decode_node(p, n, dims);
  switch (node.tag) {
    case NodeTag::Bucket:
      CHECK_EQ(n, arroy::kBucketHeaderSize + 4ull * node.count);
      touch(node.ids, 4ull * node.count);
      break;
    case NodeTag::Split:
      CHECK_EQ(n, arroy::kSplitHeaderSize + 4ull * dims);
      CHECK(std::isfinite(node.offset) && std::isfinite(node.extra));
      touch(node.normal, 4ull * dims);
      break;
    case NodeTag::RandomSplit:
      CHECK_EQ(n, arroy::kRandomSplitSize);
      break;
    default:
      CHECK(!"decode_node returned an unknown tag");
  }
}

void read_slot_checked(const uint8_t* p, size_t n, uint32_t position, uint32_t dims, uint32_t slots_per_slab) {
  arroy::SlotView slot = arroy::read_slot(p, n, position, dims, slots_per_slab);
  CHECK_EQ(n, arroy::slot_size(dims) * slots_per_slab);
  CHECK(position < slots_per_slab);
  if (slot.live) CHECK(std::isfinite(slot.norm) && slot.norm >= 0);
  touch(slot.values, 4ull * dims);
  const uint8_t* start = p + arroy::slot_size(dims) * position;
  CHECK(static_cast<const uint8_t*>(slot.values) == start + arroy::kSlotHeaderSize);
}

void decode_u32_list_checked(const uint8_t* p, size_t n) {
  std::vector<uint32_t> values = arroy::decode_u32_list(p, n, "test list");
  CHECK_EQ(values.size() * 4, n);
  for (size_t i = 0; i < values.size(); i++) CHECK_EQ(values[i], arroy::load_u32(p, i));
}

void decode_u32_checked(const uint8_t* p, size_t n) {
  uint32_t v = arroy::decode_u32(p, n, "test value");
  CHECK_EQ(n, 4u);
  CHECK_EQ(v, arroy::load_u32(p, 0));
}

const uint32_t kNodeDims[] = {1, 2, 3, 7, 16, 64};
struct SlabShape {
  uint32_t dims, slots_per_slab;
};
const SlabShape kSlabShapes[] = {{1, 1}, {1, 4}, {2, 3}, {3, 2}, {7, 1}, {16, 2}};

std::vector<Decoder> all_decoders() {
  std::vector<Decoder> decoders;
  decoders.push_back({"check_file_header", decode_header});
  decoders.push_back({"decode_catalog", decode_catalog_checked});
  decoders.push_back({"decode_index_meta", decode_meta_checked});
  for (uint32_t dims : kNodeDims) {
    decoders.push_back({"decode_node dims=" + std::to_string(dims),
                        [dims](const uint8_t* p, size_t n) { decode_node_checked(p, n, dims); }});
  }
  for (const SlabShape& s : kSlabShapes) {
    // Every position, and one beyond the slab.
    decoders.push_back({"read_slot dims=" + std::to_string(s.dims) + " spp=" + std::to_string(s.slots_per_slab),
                        [s](const uint8_t* p, size_t n) {
                          // Accepted when some position decodes; rejected (with
                          // the last error) when none does.
                          bool any = false;
                          for (uint32_t position = 0; position <= s.slots_per_slab; position++) {
                            try {
                              read_slot_checked(p, n, position, s.dims, s.slots_per_slab);
                              any = true;
                            } catch (const arroy::Error& e) {
                              if (!is_decode_error(e.code())) throw;
                              if (position == s.slots_per_slab && !any) throw;
                            }
                          }
                        }});
  }
  decoders.push_back({"decode_u32_list", decode_u32_list_checked});
  decoders.push_back({"decode_u32", decode_u32_checked});
  return decoders;
}

enum class Outcome { Accepted, Rejected, Escaped };

// Runs one decoder on a heap copy of exactly these bytes. Reports anything but
// a return or an allowed arroy::Error.
Outcome feed(const Decoder& decoder, const uint8_t* data, size_t size) {
  Exact input(data, size);
  try {
    decoder.run(input.data(), input.size());
    return Outcome::Accepted;
  } catch (const arroy::Error& e) {
    if (is_decode_error(e.code())) return Outcome::Rejected;
    CHECK(!"a decoder threw an unexpected arroy::Error code");
    std::printf("  %s threw %s: %s (%zu bytes)\n", decoder.name.c_str(), arroy::error_code_name(e.code()), e.what(),
                size);
  } catch (const std::exception& e) {
    CHECK(!"a decoder threw a non-arroy exception");
    std::printf("  %s threw %s (%zu bytes)\n", decoder.name.c_str(), e.what(), size);
  } catch (...) {
    CHECK(!"a decoder threw a non-std exception");
  }
  return Outcome::Escaped;
}

Outcome feed(const Decoder& decoder, const Bytes& bytes) { return feed(decoder, bytes.data(), bytes.size()); }

// ---------------------------------------------------------------- valid samples

IndexMeta sample_meta(uint32_t trees) {
  IndexMeta meta;
  meta.dimensions = 7;
  meta.metric = Metric::Cosine;
  meta.bucket_capacity = 64;
  meta.slots_per_slab = arroy::choose_slots_per_slab(7, 4096);
  meta.slot_count = 1234;
  meta.item_count = 1200;
  meta.node_count = 5000;
  meta.seed = 0x0123456789abcdefull;
  meta.max_norm = 3.5f;
  for (uint32_t t = 0; t < trees; t++) meta.roots.push_back(t * 1000);
  return meta;
}

std::vector<arroy::CatalogEntry> sample_catalog() {
  return {{0, "default"}, {5, "é-ü"}, {127, std::string(arroy::kMaxIndexNameBytes, 'x')}, {3, ""}};
}

std::vector<float> sample_normal(uint32_t dims) {
  std::vector<float> v(dims);
  for (uint32_t i = 0; i < dims; i++) v[i] = 0.25f * float(i) - 1.0f;
  return v;
}

Bytes sample_slab(uint32_t dims, uint32_t slots_per_slab) {
  Bytes slab(arroy::slot_size(dims) * slots_per_slab, 0);
  std::vector<float> values = sample_normal(dims);
  for (uint32_t position = 0; position < slots_per_slab; position += 2) {
    arroy::write_slot(slab, position, dims, 1000 + position, true, 2.0f, values.data());
  }
  return slab;
}

// Named valid encodings, each with the decoder that reads it.
struct Sample {
  std::string name;
  Bytes bytes;
  Decoder decoder;
  bool truncations_valid_at_multiples_of_4 = false;  // u32 lists
};

std::vector<Sample> valid_samples() {
  std::vector<Sample> samples;
  samples.push_back({"file header", arroy::encode_file_header(), {"check_file_header", decode_header}});
  samples.push_back({"catalog", arroy::encode_catalog(sample_catalog()), {"decode_catalog", decode_catalog_checked}});
  samples.push_back({"empty catalog", arroy::encode_catalog({}), {"decode_catalog", decode_catalog_checked}});
  samples.push_back({"meta 3 trees", arroy::encode_index_meta(sample_meta(3)), {"decode_index_meta", decode_meta_checked}});
  samples.push_back({"meta 0 trees", arroy::encode_index_meta(sample_meta(0)), {"decode_index_meta", decode_meta_checked}});
  for (uint32_t dims : {1u, 3u, 16u}) {
    auto node = [dims](const uint8_t* p, size_t n) { decode_node_checked(p, n, dims); };
    std::string suffix = " dims=" + std::to_string(dims);
    const uint32_t ids[] = {1, 7, 9, 100, 0xFFFFFFFFu};
    std::vector<float> normal = sample_normal(dims);
    samples.push_back({"bucket" + suffix, encode_bucket(ids, 5), {"decode_node" + suffix, node}});
    samples.push_back({"empty bucket" + suffix, encode_bucket(ids, 0), {"decode_node" + suffix, node}});
    samples.push_back({"split" + suffix, encode_split(3, 4, -0.5f, 0.25f, normal.data(), dims),
                       {"decode_node" + suffix, node}});
    samples.push_back({"random split" + suffix, encode_random_split(10, 11), {"decode_node" + suffix, node}});
  }
  for (const SlabShape& s : kSlabShapes) {
    samples.push_back({"slab dims=" + std::to_string(s.dims) + " spp=" + std::to_string(s.slots_per_slab),
                       sample_slab(s.dims, s.slots_per_slab),
                       {"read_slot", [s](const uint8_t* p, size_t n) {
                          for (uint32_t position = 0; position < s.slots_per_slab; position++) {
                            read_slot_checked(p, n, position, s.dims, s.slots_per_slab);
                          }
                        }}});
  }
  samples.push_back({"u32 list", arroy::encode_u32_list({1, 2, 0xFFFFFFFFu, 0}), {"decode_u32_list", decode_u32_list_checked},
                     true});
  samples.push_back({"u32", arroy::encode_u32_list({0xDEADBEEFu}), {"decode_u32", decode_u32_checked}});
  return samples;
}

}  // namespace

// ================================================================ round trips

TEST(file_header_round_trip) {
  Bytes header = arroy::encode_file_header();
  CHECK_EQ(header.size(), arroy::kFileHeaderSize);
  CHECK(std::memcmp(header.data(), arroy::kFileMagic, 8) == 0);
  CHECK_EQ(arroy::load_u32(header.data() + 8, 0), arroy::kFormatVersion);
  arroy::check_file_header(header.data(), header.size());

  Bytes wrong_magic = header;
  wrong_magic[0] = 'A';
  CHECK_THROWS_CODE(arroy::check_file_header(wrong_magic.data(), wrong_magic.size()), ErrorCode::NotAnIndex);
  Bytes wrong_version = header;
  put_u32(wrong_version, 8, arroy::kFormatVersion + 1);
  CHECK_THROWS_CODE(arroy::check_file_header(wrong_version.data(), wrong_version.size()), ErrorCode::FormatVersion);
  Bytes longer = header;
  longer.push_back(0);
  CHECK_THROWS_CODE(arroy::check_file_header(longer.data(), longer.size()), ErrorCode::Corrupt);
}

TEST(catalog_round_trip) {
  for (const auto& entries : {sample_catalog(), std::vector<arroy::CatalogEntry>{}}) {
    Bytes bytes = arroy::encode_catalog(entries);
    std::vector<arroy::CatalogEntry> back = arroy::decode_catalog(bytes.data(), bytes.size());
    if (!CHECK_EQ(back.size(), entries.size())) continue;
    for (size_t i = 0; i < entries.size(); i++) {
      CONTEXT("entry " << i);
      CHECK_EQ(back[i].index, entries[i].index);
      CHECK(back[i].name == entries[i].name);
    }
  }
  // Limits: a name one byte too long, an index id out of range.
  Bytes long_name = arroy::encode_catalog({{1, std::string(arroy::kMaxIndexNameBytes + 1, 'y')}});
  CHECK_THROWS_CODE(arroy::decode_catalog(long_name.data(), long_name.size()), ErrorCode::Corrupt);
  Bytes bad_index = arroy::encode_catalog({{static_cast<arroy::IndexId>(arroy::kMaxIndexesPerFile), "a"}});
  CHECK_THROWS_CODE(arroy::decode_catalog(bad_index.data(), bad_index.size()), ErrorCode::Corrupt);
}

TEST(index_meta_round_trip) {
  for (Metric metric : arroy::kMetrics) {
    for (uint32_t trees : {0u, 1u, 3u, 100u}) {
      CONTEXT("metric=" << arroy::metric_name(metric) << " trees=" << trees);
      IndexMeta meta = sample_meta(trees);
      meta.metric = metric;
      meta.dimensions = arroy::kMaxDimensions;
      meta.slots_per_slab = 1;
      meta.slot_count = 0xFFFFFFFFu;
      meta.item_count = 0xFFFFFFFEu;
      meta.node_count = 0xFFFFFFFFu;
      meta.seed = ~0ull;
      Bytes bytes = arroy::encode_index_meta(meta);
      CHECK_EQ(bytes.size(), arroy::kIndexMetaFixedSize + 4 * trees);
      IndexMeta back = arroy::decode_index_meta(bytes.data(), bytes.size());
      CHECK_EQ(back.format_version, arroy::kFormatVersion);
      CHECK_EQ(back.dimensions, meta.dimensions);
      CHECK(back.metric == metric);
      CHECK_EQ(back.bucket_capacity, meta.bucket_capacity);
      CHECK_EQ(back.slots_per_slab, meta.slots_per_slab);
      CHECK_EQ(back.slot_count, meta.slot_count);
      CHECK_EQ(back.item_count, meta.item_count);
      CHECK_EQ(back.node_count, meta.node_count);
      CHECK_EQ(back.seed, meta.seed);
      CHECK_EQ(back.max_norm, meta.max_norm);
      CHECK(back.roots == meta.roots);
      // Encoding is a pure function of the fields.
      CHECK(arroy::encode_index_meta(back) == bytes);
    }
  }
}

TEST(node_round_trip) {
  for (uint32_t dims : {1u, 2u, 5u, 100u, arroy::kMaxDimensions}) {
    CONTEXT("dims=" << dims);
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < 64; i++) ids.push_back(i * 3 + 1);
    Bytes bucket = encode_bucket(ids.data(), ids.size());
    CHECK_EQ(bucket.size(), arroy::kBucketHeaderSize + 4 * ids.size());
    NodeView b = arroy::decode_node(bucket.data(), bucket.size(), dims);
    CHECK(b.tag == NodeTag::Bucket);
    if (CHECK_EQ(b.count, ids.size())) {
      for (uint32_t i = 0; i < b.count; i++) CHECK_EQ(arroy::load_u32(b.ids, i), ids[i]);
    }
    Bytes empty = encode_bucket(nullptr, 0);
    NodeView e = arroy::decode_node(empty.data(), empty.size(), dims);
    CHECK(e.tag == NodeTag::Bucket);
    CHECK_EQ(e.count, 0u);

    std::vector<float> normal = sample_normal(dims);
    Bytes split = encode_split(17, 0xFFFFFFFFu, -1.5f, 0.75f, normal.data(), dims);
    CHECK_EQ(split.size(), arroy::kSplitHeaderSize + 4ull * dims);
    NodeView s = arroy::decode_node(split.data(), split.size(), dims);
    CHECK(s.tag == NodeTag::Split);
    CHECK_EQ(s.left, 17u);
    CHECK_EQ(s.right, 0xFFFFFFFFu);
    CHECK_EQ(s.offset, -1.5f);
    CHECK_EQ(s.extra, 0.75f);
    bool same = true;
    for (uint32_t i = 0; i < dims; i++) same = same && f32_at(s.normal, i) == normal[i];
    CHECK(same);
    // A split decoded with other dimensions does not add up.
    CHECK_THROWS_CODE(arroy::decode_node(split.data(), split.size(), dims + 1), ErrorCode::Corrupt);

    Bytes random = encode_random_split(4, 5);
    CHECK_EQ(random.size(), arroy::kRandomSplitSize);
    NodeView r = arroy::decode_node(random.data(), random.size(), dims);
    CHECK(r.tag == NodeTag::RandomSplit);
    CHECK_EQ(r.left, 4u);
    CHECK_EQ(r.right, 5u);
  }
}

TEST(nodes_appended_to_one_buffer) {
  // The editor encodes a tree's changed nodes one after the other into one
  // buffer: each record must be exactly its own encoding, at its offset.
  const uint32_t dims = 7;
  const uint32_t ids[] = {2, 9, 40};
  std::vector<float> normal = sample_normal(dims);
  arroy::ByteWriter w;
  std::vector<size_t> offsets{0};
  arroy::append_bucket(w, ids, 3);
  offsets.push_back(w.buffer().size());
  arroy::append_split(w, 5, 6, 0.5f, -2.0f, normal.data(), dims);
  offsets.push_back(w.buffer().size());
  arroy::append_random_split(w, 7, 8);
  offsets.push_back(w.buffer().size());
  const Bytes expected[] = {encode_bucket(ids, 3), encode_split(5, 6, 0.5f, -2.0f, normal.data(), dims),
                            encode_random_split(7, 8)};
  for (size_t i = 0; i < 3; i++) {
    CONTEXT("record " << i);
    Bytes record(w.buffer().begin() + offsets[i], w.buffer().begin() + offsets[i + 1]);
    CHECK(record == expected[i]);
  }
  CHECK(arroy::decode_node(w.buffer().data() + offsets[1], offsets[2] - offsets[1], dims).tag == NodeTag::Split);
}

TEST(slot_round_trip) {
  for (const SlabShape& s : kSlabShapes) {
    CONTEXT("dims=" << s.dims << " spp=" << s.slots_per_slab);
    const size_t slot = arroy::slot_size(s.dims);
    CHECK_EQ(slot, arroy::kSlotHeaderSize + 4ull * s.dims);
    Bytes slab(slot * s.slots_per_slab, 0xAB);
    std::vector<std::vector<float>> values(s.slots_per_slab);
    for (uint32_t position = 0; position < s.slots_per_slab; position++) {
      values[position] = sample_normal(s.dims);
      values[position][0] = float(position) + 0.5f;
      bool live = position % 2 == 0;
      arroy::write_slot(slab, position, s.dims, 0xFFFFFFF0u + position, live, 1.25f * float(position),
                        live ? values[position].data() : nullptr);
    }
    for (uint32_t position = 0; position < s.slots_per_slab; position++) {
      CONTEXT("position=" << position);
      arroy::SlotView view = arroy::read_slot(slab.data(), slab.size(), position, s.dims, s.slots_per_slab);
      bool live = position % 2 == 0;
      CHECK_EQ(view.item_id, 0xFFFFFFF0u + position);
      CHECK_EQ(view.live, live);
      CHECK_EQ(view.norm, 1.25f * float(position));
      bool same = true;
      for (uint32_t i = 0; i < s.dims; i++) same = same && f32_at(view.values, i) == (live ? values[position][i] : 0.0f);
      CHECK(same);
    }
    CHECK_THROWS_CODE(arroy::read_slot(slab.data(), slab.size(), s.slots_per_slab, s.dims, s.slots_per_slab),
                      ErrorCode::Corrupt);
    CHECK_THROWS_CODE(arroy::read_slot(slab.data(), slab.size() - 1, 0, s.dims, s.slots_per_slab), ErrorCode::Corrupt);
    CHECK_THROWS_CODE(arroy::read_slot(slab.data(), slab.size(), 0, s.dims, s.slots_per_slab + 1), ErrorCode::Corrupt);
  }
  // A slot state other than free or live, and a live slot with a bad norm.
  Bytes slab(arroy::slot_size(2), 0);
  put_u32(slab, 4, 2);
  CHECK_THROWS_CODE(arroy::read_slot(slab.data(), slab.size(), 0, 2, 1), ErrorCode::Corrupt);
  const float bad_norms[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), -1.0f};
  for (float norm : bad_norms) {
    CONTEXT("norm=" << norm);
    put_u32(slab, 4, arroy::kSlotLive);
    put_f32(slab, 8, norm);
    CHECK_THROWS_CODE(arroy::read_slot(slab.data(), slab.size(), 0, 2, 1), ErrorCode::Corrupt);
    put_u32(slab, 4, arroy::kSlotFree);  // a free slot's norm means nothing
    arroy::read_slot(slab.data(), slab.size(), 0, 2, 1);
  }
}

TEST(u32_list_round_trip) {
  for (const std::vector<uint32_t>& values :
       {std::vector<uint32_t>{}, std::vector<uint32_t>{7}, std::vector<uint32_t>{0, 1, 0xFFFFFFFFu, 42, 42}}) {
    Bytes bytes = arroy::encode_u32_list(values);
    CHECK_EQ(bytes.size(), 4 * values.size());
    Exact exact(bytes);
    CHECK(arroy::decode_u32_list(exact.data(), exact.size(), "list") == values);
  }
  Bytes one = arroy::encode_u32_list({0x01020304u});
  CHECK_EQ(arroy::decode_u32(one.data(), one.size(), "value"), 0x01020304u);
  CHECK(one[0] == 4 && one[3] == 1);  // little-endian
  CHECK_THROWS_CODE(arroy::decode_u32(one.data(), 3, "value"), ErrorCode::Corrupt);
  Bytes two = arroy::encode_u32_list({1, 2});
  CHECK_THROWS_CODE(arroy::decode_u32(two.data(), two.size(), "value"), ErrorCode::Corrupt);
  CHECK_THROWS_CODE(arroy::decode_u32_list(two.data(), 7, "list"), ErrorCode::Corrupt);
}

// ================================================================ slab sizing

namespace {

constexpr size_t kOverflowHeader = 16;  // LMDB's page header at the start of an overflow run

// Slots that fit in `pages` pages after the overflow header.
size_t slots_in(uint32_t pages, uint32_t page_size, size_t slot) {
  return (size_t(pages) * page_size - kOverflowHeader) / slot;
}

double fill_of(size_t slots, size_t slot, uint32_t pages, uint32_t page_size) {
  return double(slots * slot) / double(size_t(pages) * page_size);
}

}  // namespace

TEST(choose_slots_per_slab_properties) {
  std::vector<uint32_t> dims_list;
  for (uint32_t d = 1; d <= 1100; d++) dims_list.push_back(d);
  for (uint32_t d = 1101; d <= arroy::kMaxDimensions; d += 97) dims_list.push_back(d);
  for (uint32_t d : {1535u, 1536u, 3072u, 4093u, 4096u, 16380u, 16381u, 16384u, arroy::kMaxDimensions}) {
    dims_list.push_back(d);
  }
  const uint32_t page_sizes[] = {4096, 8192, 16384, 32768, 65536};
  size_t checked = 0, reached_target = 0;
  for (uint32_t page_size : page_sizes) {
    for (uint32_t dims : dims_list) {
      CONTEXT("dims=" << dims << " page_size=" << page_size);
      const size_t slot = arroy::slot_size(dims);
      const uint32_t chosen = arroy::choose_slots_per_slab(dims, page_size);
      checked++;
      if (!CHECK(chosen >= 1)) continue;
      // The pages the slab occupies as one LMDB overflow run.
      const size_t bytes = size_t(chosen) * slot;
      const uint32_t pages = static_cast<uint32_t>((bytes + kOverflowHeader + page_size - 1) / page_size);
      const bool fits = slot + kOverflowHeader <= size_t(arroy::kMaxSlabPages) * page_size;
      if (fits) {
        // The slots fit in at most kMaxSlabPages pages and leave no room for another.
        CHECK(pages <= arroy::kMaxSlabPages);
        CHECK_EQ(size_t(chosen), slots_in(pages, page_size, slot));
      } else {
        CHECK_EQ(chosen, 1u);  // a vector larger than the page budget: one slot per slab
        continue;
      }
      // The fewest pages reaching the fill target, if any does.
      uint32_t target_pages = 0;
      double best_fill = 0;
      for (uint32_t p = 1; p <= arroy::kMaxSlabPages; p++) {
        size_t s = slots_in(p, page_size, slot);
        double fill = fill_of(s, slot, p, page_size);
        best_fill = std::max(best_fill, fill);
        if (s > 0 && fill >= arroy::kSlabFillTarget && !target_pages) target_pages = p;
      }
      const double fill = fill_of(chosen, slot, pages, page_size);
      if (target_pages) {
        reached_target++;
        CHECK(fill >= arroy::kSlabFillTarget);
        CHECK_EQ(pages, target_pages);
      } else {
        CHECK_NEAR(fill, best_fill, 1e-9);
      }
      // Whatever a build chooses on any page size must pass the metadata
      // decoder's range check.
      IndexMeta meta = sample_meta(1);
      meta.dimensions = dims;
      meta.slots_per_slab = chosen;
      Bytes encoded = arroy::encode_index_meta(meta);
      try {
        arroy::decode_index_meta(encoded.data(), encoded.size());
      } catch (const arroy::Error& e) {
        CHECK(!"decode_index_meta refused a slots_per_slab that choose_slots_per_slab picks");
      }
    }
  }
  std::printf("choose_slots_per_slab: %zu cases, %zu reached the %.2f fill target\n", checked, reached_target,
              arroy::kSlabFillTarget);
  CHECK(reached_target > checked / 2);
}

// ================================================================ robustness

TEST(truncations_are_rejected) {
  size_t calls = 0;
  for (const Sample& sample : valid_samples()) {
    CONTEXT("sample=" << sample.name);
    CHECK(feed(sample.decoder, sample.bytes) == Outcome::Accepted);
    for (size_t length = 0; length < sample.bytes.size(); length++) {
      CONTEXT("length=" << length);
      Outcome got = feed(sample.decoder, sample.bytes.data(), length);
      calls++;
      if (sample.truncations_valid_at_multiples_of_4 && length % 4 == 0) {
        CHECK(got == Outcome::Accepted);
      } else {
        CHECK(got == Outcome::Rejected);
      }
    }
    // One byte more (four for a u32 list, which then reads one more value).
    Bytes longer = sample.bytes;
    longer.push_back(0x5A);
    CHECK(feed(sample.decoder, longer) == Outcome::Rejected);
    // Every decoder meets every truncation too: none may do more than reject.
    for (const Decoder& d : all_decoders()) {
      for (size_t length = 0; length <= sample.bytes.size(); length++) {
        if (feed(d, sample.bytes.data(), length) == Outcome::Escaped) {
          std::printf("  (decoder %s on %zu bytes of %s)\n", d.name.c_str(), length, sample.name.c_str());
        }
        calls++;
      }
    }
  }
  std::printf("truncations: %zu decoder calls\n", calls);
}

TEST(random_bytes_are_rejected_or_valid) {
  std::mt19937_64 rng(20240601);
  std::vector<Decoder> decoders = all_decoders();
  std::vector<size_t> accepted(decoders.size(), 0);
  size_t escaped = 0;
  for (int round = 0; round < 20000; round++) {
    size_t length = rng() % 301;
    Bytes bytes(length);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    // Bias a third of the inputs towards plausible prefixes so that decoders
    // get past their first check more often.
    if (round % 3 == 1 && length >= 12) {
      switch (rng() % 5) {
        case 0: std::memcpy(bytes.data(), arroy::kFileMagic, 8); put_u32(bytes, 8, arroy::kFormatVersion); break;
        case 1: put_u32(bytes, 0, arroy::kFormatVersion); break;                         // index metadata
        case 2: put_u32(bytes, 0, static_cast<uint32_t>(rng() % 4)); break;              // small catalog count
        case 3: bytes[0] = static_cast<uint8_t>(1 + rng() % 3); put_u32(bytes, 4, (length - 8) / 4); break;  // node
        case 4: put_u32(bytes, 4, static_cast<uint32_t>(rng() % 2)); break;              // slot state
      }
    }
    for (size_t i = 0; i < decoders.size(); i++) {
      Outcome got = feed(decoders[i], bytes);
      if (got == Outcome::Accepted) accepted[i]++;
      if (got == Outcome::Escaped) {
        escaped++;
        if (escaped < 10) std::printf("  (decoder %s, round %d, %zu bytes)\n", decoders[i].name.c_str(), round, length);
      }
    }
  }
  CHECK_EQ(escaped, 0u);
  std::printf("random bytes: 20000 inputs x %zu decoders; accepted:", decoders.size());
  for (size_t i = 0; i < decoders.size(); i++) std::printf(" %s=%zu", decoders[i].name.c_str(), accepted[i]);
  std::printf("\n");
}

TEST(flipped_valid_records_are_rejected_or_valid) {
  std::mt19937_64 rng(777);
  size_t calls = 0, accepted = 0;
  for (const Sample& sample : valid_samples()) {
    CONTEXT("sample=" << sample.name);
    const Bytes& original = sample.bytes;
    // Every single-bit flip.
    for (size_t bit = 0; bit < original.size() * 8; bit++) {
      Bytes flipped = original;
      flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      Outcome got = feed(sample.decoder, flipped);
      if (got == Outcome::Escaped) std::printf("  (bit %zu)\n", bit);
      accepted += got == Outcome::Accepted;
      calls++;
    }
    // Random single-byte replacements, and a few multi-byte ones.
    for (int round = 0; round < 2000; round++) {
      Bytes mutated = original;
      if (mutated.empty()) break;
      int changes = round % 4 == 3 ? 1 + static_cast<int>(rng() % 4) : 1;
      for (int c = 0; c < changes; c++) mutated[rng() % mutated.size()] = static_cast<uint8_t>(rng());
      Outcome got = feed(sample.decoder, mutated);
      accepted += got == Outcome::Accepted;
      calls++;
    }
  }
  std::printf("flips: %zu decoder calls, %zu accepted\n", calls, accepted);
}

// ================================================================ hostile cases

TEST(hostile_catalog) {
  // A count of 0xFFFFFFFF must be refused before anything is reserved for it.
  for (size_t extra : {0u, 3u, 4u, 260u}) {
    CONTEXT("extra bytes=" << extra);
    Bytes bytes(4 + extra, 0);
    put_u32(bytes, 0, 0xFFFFFFFFu);
    Exact exact(bytes);
    CHECK_THROWS_CODE(arroy::decode_catalog(exact.data(), exact.size()), ErrorCode::Corrupt);
  }
  // Counts just above what the record holds.
  Bytes two = arroy::encode_catalog({{1, "a"}, {2, "b"}});
  put_u32(two, 0, 3);
  CHECK_THROWS_CODE(arroy::decode_catalog(two.data(), two.size()), ErrorCode::Corrupt);
  put_u32(two, 0, 1);  // one entry and trailing bytes
  CHECK_THROWS_CODE(arroy::decode_catalog(two.data(), two.size()), ErrorCode::Corrupt);
  // A name length that runs past the record.
  Bytes name = arroy::encode_catalog({{1, "abc"}});
  name[6] = 200;
  CHECK_THROWS_CODE(arroy::decode_catalog(name.data(), name.size()), ErrorCode::Corrupt);
  CHECK_THROWS_CODE(arroy::decode_catalog(nullptr, 0), ErrorCode::Corrupt);
}

TEST(hostile_bucket) {
  const uint32_t ids[] = {1, 2, 3};
  Bytes bucket = encode_bucket(ids, 3);
  for (uint32_t count : {4u, 1000u, 0x40000000u, 0x40000001u, 0xFFFFFFFFu, 2u, 0u}) {
    CONTEXT("count=" << count);
    Bytes hostile = bucket;
    put_u32(hostile, 4, count);
    Exact exact(hostile);
    CHECK_THROWS_CODE(arroy::decode_node(exact.data(), exact.size(), 3), ErrorCode::Corrupt);
  }
  // Unknown tags, including 0 (an all-zero record).
  for (uint8_t tag : {0, 4, 0xFF}) {
    Bytes hostile = bucket;
    hostile[0] = tag;
    CHECK_THROWS_CODE(arroy::decode_node(hostile.data(), hostile.size(), 3), ErrorCode::Corrupt);
  }
  Bytes random_split = encode_random_split(1, 2);
  random_split.push_back(0);
  CHECK_THROWS_CODE(arroy::decode_node(random_split.data(), random_split.size(), 1), ErrorCode::Corrupt);
}

TEST(hostile_meta) {
  const IndexMeta good = sample_meta(2);
  auto rejects = [&](const Bytes& bytes, ErrorCode code = ErrorCode::Corrupt) {
    Exact exact(bytes);
    return CHECK_THROWS_CODE(arroy::decode_index_meta(exact.data(), exact.size()), code);
  };
  // A record edited by hand carries a stale checksum, which is rejected on
  // its own; resealed, the edit must still meet the check it is aimed at.
  auto resealed = [](Bytes bytes) {
    put_u32(bytes, bytes.size() - 4, arroy::crc32c(bytes.data(), bytes.size() - 4));
    return bytes;
  };
  Bytes bytes = arroy::encode_index_meta(good);
  const size_t tree_count_at = arroy::kIndexMetaFixedSize - 8;  // before the roots and the checksum
  // tree_count not matching the roots that follow.
  for (uint32_t trees : {0u, 1u, 3u, 0x40000002u, 0xFFFFFFFFu}) {
    CONTEXT("tree_count=" << trees);
    Bytes hostile = bytes;
    put_u32(hostile, tree_count_at, trees);
    rejects(hostile);
    rejects(resealed(hostile));
  }
  {
    Bytes ragged = bytes;  // roots not a whole number of u32
    ragged.push_back(0);
    rejects(ragged);
    rejects(resealed(ragged));
  }
  // Any flipped byte after the version fails the checksum.
  for (size_t at = 4; at < bytes.size(); at++) {
    CONTEXT("flipped byte " << at);
    Bytes flipped = bytes;
    flipped[at] ^= 0x10;
    rejects(flipped);
  }
  // Roots at or beyond node_count.
  for (uint32_t root : {good.node_count, good.node_count + 1, 0xFFFFFFFFu}) {
    CONTEXT("root=" << root);
    IndexMeta meta = good;
    meta.roots[1] = root;
    rejects(arroy::encode_index_meta(meta));
  }
  {
    IndexMeta meta = good;
    meta.node_count = 0;  // trees but no nodes
    rejects(arroy::encode_index_meta(meta));
  }
  // Every field's range.
  auto with = [&](const std::function<void(IndexMeta&)>& change) {
    IndexMeta meta = good;
    change(meta);
    return arroy::encode_index_meta(meta);
  };
  rejects(with([](IndexMeta& m) { m.format_version = arroy::kFormatVersion + 1; }), ErrorCode::FormatVersion);
  rejects(with([](IndexMeta& m) { m.format_version = 0; }), ErrorCode::FormatVersion);
  rejects(with([](IndexMeta& m) { m.dimensions = 0; }));
  rejects(with([](IndexMeta& m) { m.dimensions = arroy::kMaxDimensions + 1; }));
  rejects(with([](IndexMeta& m) { m.metric = static_cast<Metric>(4); }));
  rejects(with([](IndexMeta& m) { m.metric = static_cast<Metric>(0xFF); }));
  rejects(with([](IndexMeta& m) { m.bucket_capacity = arroy::kMinBucketCapacity - 1; }));
  rejects(with([](IndexMeta& m) { m.bucket_capacity = arroy::kMaxBucketCapacity + 1; }));
  rejects(with([](IndexMeta& m) { m.slots_per_slab = 0; }));
  rejects(with([](IndexMeta& m) { m.slots_per_slab = 0xFFFFFFFFu; }));
  rejects(with([](IndexMeta& m) { m.item_count = m.slot_count + 1; }));
  rejects(with([](IndexMeta& m) { m.max_norm = std::numeric_limits<float>::quiet_NaN(); }));
  rejects(with([](IndexMeta& m) { m.max_norm = std::numeric_limits<float>::infinity(); }));
  rejects(with([](IndexMeta& m) { m.max_norm = -1.0f; }));
  // Truncated inside the fixed part.
  rejects(Bytes(bytes.begin(), bytes.begin() + 20));
}

TEST(hostile_split_planes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> normal = sample_normal(4);
  const float bad[] = {nan, -nan, inf, -inf};
  for (float value : bad) {
    CONTEXT("value=" << value);
    Bytes offset = encode_split(1, 2, value, 0, normal.data(), 4);
    CHECK_THROWS_CODE(arroy::decode_node(offset.data(), offset.size(), 4), ErrorCode::Corrupt);
    Bytes extra = encode_split(1, 2, 0, value, normal.data(), 4);
    CHECK_THROWS_CODE(arroy::decode_node(extra.data(), extra.size(), 4), ErrorCode::Corrupt);
  }
  // A signalling NaN bit pattern as the offset.
  Bytes signalling = encode_split(1, 2, 0, 0, normal.data(), 4);
  put_u32(signalling, 12, 0x7F800001u);
  CHECK_THROWS_CODE(arroy::decode_node(signalling.data(), signalling.size(), 4), ErrorCode::Corrupt);
  // The normal itself is not checked by the decoder (that would cost a pass
  // over every split on every visit); search rejects a non-finite margin.
  std::vector<float> nan_normal = normal;
  nan_normal[2] = nan;
  Bytes in_normal = encode_split(1, 2, 0, 0, nan_normal.data(), 4);
  NodeView node = arroy::decode_node(in_normal.data(), in_normal.size(), 4);
  CHECK(std::isnan(f32_at(node.normal, 2)));
}

TEST(slot_checksums_cover_every_byte_but_their_own) {
  for (uint32_t dims : {1u, 3u, 100u}) {
    CONTEXT("dims=" << dims);
    const uint32_t slots_per_slab = 3;
    Bytes slab = arroy::empty_slab(dims, slots_per_slab);
    const size_t slot = arroy::slot_size(dims);
    for (uint32_t position = 0; position < slots_per_slab; position++) {
      CHECK(arroy::slot_intact(slab.data() + slot * position, dims));
    }
    std::vector<float> values = sample_normal(dims);
    arroy::write_slot(slab, 1, dims, 77, true, 3.5f, values.data());
    uint8_t* written = slab.data() + slot;
    CHECK(arroy::slot_intact(written, dims));
    // Every byte of the slot, the checksum's own included, is covered.
    for (size_t at = 0; at < slot; at++) {
      CONTEXT("byte " << at);
      written[at] ^= 0x01;
      CHECK(!arroy::slot_intact(written, dims));
      written[at] ^= 0x01;
    }
    // A freed slot is rewritten with a checksum of its own.
    arroy::write_slot(slab, 1, dims, 0, false, 0, nullptr);
    CHECK(arroy::slot_intact(written, dims));
    CHECK_EQ(arroy::slot_checksum(written, dims), arroy::slot_checksum(slab.data(), dims));
  }
}
