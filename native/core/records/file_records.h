// The file-level records of the arroy-ts database (format.h): the file
// header, which marks a file as arroy-ts's and names its format version,
// and the catalog of the file's named indexes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "format.h"

namespace arroy {

std::vector<uint8_t> encode_file_header();
// Checks the magic and the format version.
void check_file_header(const void* data, size_t size);
// Throws FormatVersion for a file or index record (`what`) of format version
// `version`, saying what to do about it.
[[noreturn]] void format_version_mismatch(const char* what, uint32_t version);

struct CatalogEntry {
  IndexId index;
  std::string name;
};
std::vector<uint8_t> encode_catalog(const std::vector<CatalogEntry>& entries);
std::vector<CatalogEntry> decode_catalog(const void* data, size_t size);

}  // namespace arroy
