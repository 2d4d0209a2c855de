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
  w.u32(meta.dimensions);
  w.u8(static_cast<uint8_t>(meta.metric));
  w.zeros(3);
  w.u32(meta.bucket_capacity);
  w.u32(meta.item_count);
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
  meta.dimensions = r.u32();
  uint8_t metric = r.u8();
  r.skip(3);
  meta.bucket_capacity = r.u32();
  meta.item_count = r.u32();
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
  if (tree_count != r.remaining() / 4 || r.remaining() % 4 != 0) corrupt("tree count does not match the roots");
  meta.roots.resize(tree_count);
  for (uint32_t i = 0; i < tree_count; i++) meta.roots[i] = r.u32();
  r.expect_end();
  return meta;
}

std::vector<uint8_t> encode_item(const float* values, uint32_t dimensions, float norm) {
  ByteWriter w;
  w.reserve(kItemHeaderSize + 4ull * dimensions);
  w.f32(norm);
  w.bytes(values, 4ull * dimensions);
  return w.take();
}

ItemView decode_item(const void* data, size_t size, uint32_t dimensions) {
  if (size != kItemHeaderSize + 4ull * dimensions) {
    corrupt("item record of " + std::to_string(size) + " bytes for " + std::to_string(dimensions) + " dimensions");
  }
  ByteReader r(data, size, "item");
  ItemView item;
  item.norm = r.f32();
  item.values = r.bytes(4ull * dimensions);
  if (!std::isfinite(item.norm) || item.norm < 0) corrupt("item norm is not a finite non-negative number");
  return item;
}

void copy_item_values(const ItemView& item, uint32_t dimensions, float* out) {
  std::memcpy(out, item.values, 4ull * dimensions);
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

std::vector<uint8_t> encode_bucket(const uint32_t* ids, size_t count) {
  ByteWriter w;
  w.reserve(kBucketHeaderSize + 4 * count);
  w.u8(static_cast<uint8_t>(NodeTag::Bucket));
  w.zeros(3);
  w.u32(static_cast<uint32_t>(count));
  w.bytes(ids, 4 * count);
  return w.take();
}

std::vector<uint8_t> encode_split(uint32_t left, uint32_t right, float offset, float extra, const float* normal,
                                  uint32_t dimensions) {
  ByteWriter w;
  w.reserve(kSplitHeaderSize + 4ull * dimensions);
  w.u8(static_cast<uint8_t>(NodeTag::Split));
  w.zeros(3);
  w.u32(left);
  w.u32(right);
  w.f32(offset);
  w.f32(extra);
  w.bytes(normal, 4ull * dimensions);
  return w.take();
}

std::vector<uint8_t> encode_random_split(uint32_t left, uint32_t right) {
  ByteWriter w;
  w.u8(static_cast<uint8_t>(NodeTag::RandomSplit));
  w.zeros(3);
  w.u32(left);
  w.u32(right);
  return w.take();
}

}  // namespace arroy
