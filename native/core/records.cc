#include "records.h"

#include <cmath>
#include <cstring>

#include "bytes.h"
#include "errors.h"

namespace arroy {

std::vector<uint8_t> encode_file_header() {
  ByteWriter w;
  w.bytes(kFileMagic, sizeof(kFileMagic));
  w.u32(kFormatVersion);
  return w.take();
}

void check_file_header(const void* data, size_t size) {
  ByteReader r(data, size, "file header");
  if (std::memcmp(r.bytes(sizeof(kFileMagic)), kFileMagic, sizeof(kFileMagic)) != 0) {
    fail(ErrorCode::NotAnIndex, "the file header does not carry the arroy-ts magic");
  }
  uint32_t version = r.u32();
  r.expect_end();
  if (version != kFormatVersion) {
    fail(ErrorCode::VersionMismatch, "the file uses arroy-ts format version " + std::to_string(version) +
                                         ", this build reads version " + std::to_string(kFormatVersion));
  }
}

std::vector<uint8_t> encode_catalog(const std::vector<CatalogEntry>& entries) {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(entries.size()));
  for (const CatalogEntry& e : entries) {
    w.u16(e.index);
    w.u16(static_cast<uint16_t>(e.name.size()));
    w.bytes(e.name.data(), e.name.size());
  }
  return w.take();
}

std::vector<CatalogEntry> decode_catalog(const void* data, size_t size) {
  ByteReader r(data, size, "catalog");
  uint32_t count = r.u32();
  // Each entry takes at least 4 bytes: a count larger than that is corrupt, and
  // checking it first keeps a hostile count from reserving gigabytes.
  if (count > r.remaining() / 4) corrupt("catalog count exceeds its record");
  std::vector<CatalogEntry> entries;
  entries.reserve(count);
  for (uint32_t i = 0; i < count; i++) {
    CatalogEntry e;
    e.index = r.u16();
    uint16_t length = r.u16();
    if (length > kMaxIndexNameBytes) corrupt("catalog name longer than the limit");
    const uint8_t* name = r.bytes(length);
    e.name.assign(reinterpret_cast<const char*>(name), length);
    if (e.index >= kMaxIndexesPerFile) corrupt("catalog index id out of range");
    entries.push_back(std::move(e));
  }
  r.expect_end();
  return entries;
}

std::vector<uint8_t> encode_index_meta(const IndexMeta& meta) {
  ByteWriter w;
  w.reserve(kIndexMetaFixedSize + 4 * meta.roots.size());
  w.u32(meta.format_version);
  w.u64(meta.instance);
  w.u32(meta.dimensions);
  w.u8(static_cast<uint8_t>(meta.metric));
  w.u8(meta.key_kind);
  w.zeros(2);
  w.u32(meta.bucket_capacity);
  w.u32(meta.slots_per_slab);
  w.u32(meta.slot_count);
  w.u32(meta.item_count);
  w.u32(meta.node_count);
  w.u32(meta.next_key_id);
  w.u64(meta.seed);
  w.f32(meta.max_norm);
  w.u32(static_cast<uint32_t>(meta.roots.size()));
  for (uint32_t root : meta.roots) w.u32(root);
  return w.take();
}

IndexMeta decode_index_meta(const void* data, size_t size) {
  ByteReader r(data, size, "index metadata");
  IndexMeta meta;
  meta.format_version = r.u32();
  if (meta.format_version != kFormatVersion) {
    fail(ErrorCode::VersionMismatch, "the index uses arroy-ts format version " + std::to_string(meta.format_version) +
                                         ", this build reads version " + std::to_string(kFormatVersion));
  }
  meta.instance = r.u64();
  meta.dimensions = r.u32();
  uint8_t metric = r.u8();
  meta.key_kind = r.u8();
  r.skip(2);
  if (meta.key_kind != kIdKeys && meta.key_kind != kStringKeys) corrupt("unknown key kind");
  meta.bucket_capacity = r.u32();
  meta.slots_per_slab = r.u32();
  meta.slot_count = r.u32();
  meta.item_count = r.u32();
  meta.node_count = r.u32();
  meta.next_key_id = r.u32();
  meta.seed = r.u64();
  meta.max_norm = r.f32();
  uint32_t tree_count = r.u32();
  if (meta.dimensions == 0 || meta.dimensions > kMaxDimensions) corrupt("index dimensions out of range");
  if (!is_valid_metric_byte(metric)) corrupt("unknown distance id " + std::to_string(metric));
  meta.metric = static_cast<Metric>(metric);
  if (meta.bucket_capacity < kMinBucketCapacity || meta.bucket_capacity > kMaxBucketCapacity) {
    corrupt("bucket capacity out of range");
  }
  if (!std::isfinite(meta.max_norm) || meta.max_norm < 0) corrupt("invalid max norm");
  if (meta.slots_per_slab == 0 || meta.slots_per_slab > kMaxSlabPages * 65536 / slot_size(meta.dimensions) + 1) {
    corrupt("slots per slab out of range");
  }
  if (meta.item_count > meta.slot_count) corrupt("more items than slots");
  if (tree_count != r.remaining() / 4 || r.remaining() % 4 != 0) corrupt("tree count does not match the roots");
  meta.roots.resize(tree_count);
  for (uint32_t i = 0; i < tree_count; i++) {
    meta.roots[i] = r.u32();
    if (meta.roots[i] >= meta.node_count) corrupt("a root beyond the node count");
  }
  r.expect_end();
  return meta;
}

uint32_t choose_slots_per_slab(uint32_t dimensions, uint32_t page_size) {
  const size_t slot = slot_size(dimensions);
  const size_t overflow_header = 16;  // LMDB's page header, at the start of an overflow run
  uint32_t best = 1;
  double best_fill = 0;
  for (uint32_t pages = 1; pages <= kMaxSlabPages; pages++) {
    size_t capacity = size_t(pages) * page_size - overflow_header;
    size_t slots = capacity / slot;
    if (slots == 0) continue;
    double fill = double(slots * slot) / double(size_t(pages) * page_size);
    if (fill > best_fill + 1e-9) {
      best_fill = fill;
      best = static_cast<uint32_t>(slots);
    }
    if (fill >= kSlabFillTarget) return static_cast<uint32_t>(slots);
  }
  return best;  // a vector larger than kMaxSlabPages pages: one slot per slab
}

SlotView read_slot(const void* slab, size_t slab_size, uint32_t position, uint32_t dimensions,
                   uint32_t slots_per_slab) {
  const size_t slot = slot_size(dimensions);
  if (slab_size != slot * slots_per_slab) corrupt("a slab of " + std::to_string(slab_size) + " bytes");
  if (position >= slots_per_slab) corrupt("slot position beyond its slab");
  ByteReader r(static_cast<const uint8_t*>(slab) + slot * position, slot, "slot");
  SlotView view;
  view.item_id = r.u32();
  uint32_t state = r.u32();
  if (state != kSlotFree && state != kSlotLive) corrupt("slot state " + std::to_string(state));
  view.live = state == kSlotLive;
  view.norm = r.f32();
  view.values = r.bytes(4ull * dimensions);
  if (view.live && (!std::isfinite(view.norm) || view.norm < 0)) corrupt("slot norm is not a finite non-negative number");
  return view;
}

void write_slot(std::vector<uint8_t>& slab, uint32_t position, uint32_t dimensions, uint32_t item_id, bool live,
                float norm, const float* values) {
  const size_t slot = slot_size(dimensions);
  uint8_t* p = slab.data() + slot * position;
  uint32_t state = live ? kSlotLive : kSlotFree;
  std::memcpy(p, &item_id, 4);
  std::memcpy(p + 4, &state, 4);
  std::memcpy(p + 8, &norm, 4);
  if (values) {
    std::memcpy(p + kSlotHeaderSize, values, 4ull * dimensions);
  } else {
    std::memset(p + kSlotHeaderSize, 0, 4ull * dimensions);
  }
}

std::vector<uint8_t> encode_u32_list(const std::vector<uint32_t>& values) {
  ByteWriter w;
  w.bytes(values.data(), 4 * values.size());
  return w.take();
}

std::vector<uint32_t> decode_u32_list(const void* data, size_t size, const char* what) {
  if (size % 4 != 0) corrupt(std::string(what) + " is not a list of u32");
  std::vector<uint32_t> values(size / 4);
  if (size) std::memcpy(values.data(), data, size);
  return values;
}

uint32_t decode_u32(const void* data, size_t size, const char* what) {
  ByteReader r(data, size, what);
  uint32_t v = r.u32();
  r.expect_end();
  return v;
}

NodeView decode_node(const void* data, size_t size, uint32_t dimensions) {
  ByteReader r(data, size, "tree node");
  NodeView node;
  uint8_t tag = r.u8();
  r.skip(3);
  switch (tag) {
    case static_cast<uint8_t>(NodeTag::Bucket): {
      node.tag = NodeTag::Bucket;
      node.count = r.u32();
      if (node.count != r.remaining() / 4 || r.remaining() % 4 != 0) corrupt("bucket count does not match its size");
      node.ids = r.bytes(4ull * node.count);
      break;
    }
    case static_cast<uint8_t>(NodeTag::Split): {
      node.tag = NodeTag::Split;
      node.left = r.u32();
      node.right = r.u32();
      node.offset = r.f32();
      node.extra = r.f32();
      node.normal = r.bytes(4ull * dimensions);
      if (!std::isfinite(node.offset) || !std::isfinite(node.extra)) corrupt("split plane is not finite");
      break;
    }
    case static_cast<uint8_t>(NodeTag::RandomSplit): {
      node.tag = NodeTag::RandomSplit;
      node.left = r.u32();
      node.right = r.u32();
      break;
    }
    default:
      corrupt("unknown tree node tag " + std::to_string(tag));
  }
  r.expect_end();
  return node;
}

void append_bucket(ByteWriter& w, const uint32_t* ids, size_t count) {
  w.u8(static_cast<uint8_t>(NodeTag::Bucket));
  w.zeros(3);
  w.u32(static_cast<uint32_t>(count));
  w.bytes(ids, 4 * count);
}

void append_split(ByteWriter& w, uint32_t left, uint32_t right, float offset, float extra, const void* normal,
                  uint32_t dimensions) {
  w.u8(static_cast<uint8_t>(NodeTag::Split));
  w.zeros(3);
  w.u32(left);
  w.u32(right);
  w.f32(offset);
  w.f32(extra);
  w.bytes(normal, 4ull * dimensions);
}

void append_random_split(ByteWriter& w, uint32_t left, uint32_t right) {
  w.u8(static_cast<uint8_t>(NodeTag::RandomSplit));
  w.zeros(3);
  w.u32(left);
  w.u32(right);
}

}  // namespace arroy
