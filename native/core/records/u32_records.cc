#include "records/u32_records.h"

#include <cstring>
#include <string>

#include "errors.h"
#include "records/bytes.h"

namespace arroy {

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

}  // namespace arroy
