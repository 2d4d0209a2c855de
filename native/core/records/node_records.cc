#include "records/node_records.h"

#include <cmath>
#include <string>

#include "errors.h"

namespace arroy {

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
