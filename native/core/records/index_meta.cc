#include "records/index_meta.h"

#include <cmath>
#include <string>

#include "checksum/crc32c.h"
#include "errors.h"
#include "limits.h"
#include "records/bytes.h"
#include "records/file_records.h"

namespace arroy {

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
  w.u32(crc32c(w.buffer().data(), w.buffer().size()));
  return w.take();
}

IndexMeta decode_index_meta(const void* data, size_t size) {
  IndexMeta meta;
  {
    // The version first: an older record has another layout, and its own
    // error tells the user to rebuild rather than that the file is damaged.
    ByteReader version(data, size, "index metadata");
    meta.format_version = version.u32();
    if (meta.format_version != kFormatVersion) format_version_mismatch("index", meta.format_version);
  }
  if (size < kIndexMetaFixedSize) corrupt("index metadata is truncated (" + std::to_string(size) + " bytes)");
  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  const size_t body = size - 4;
  if (crc32c(bytes, body) != load_u32(bytes + body, 0)) corrupt("index metadata fails its checksum");
  ByteReader r(data, body, "index metadata");
  r.skip(4);
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

}  // namespace arroy
