#include "records/file_records.h"

#include <cstring>

#include "errors.h"
#include "limits.h"
#include "records/bytes.h"

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
  if (version != kFormatVersion) format_version_mismatch("file", version);
}

void format_version_mismatch(const char* what, uint32_t version) {
  std::string message = std::string("the ") + what + " uses arroy-ts format version " + std::to_string(version) +
                        ", this build reads version " + std::to_string(kFormatVersion) + ": ";
  if (version < kFormatVersion) {
    message += "rebuild it with this version (open a new file, add its vectors from their source, build), "
               "or keep reading it with the arroy-ts release that wrote it";
  } else {
    message += "it was written by a newer arroy-ts; upgrade to read it";
  }
  fail(ErrorCode::FormatVersion, message);
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

}  // namespace arroy
