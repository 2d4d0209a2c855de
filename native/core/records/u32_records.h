// Records that are plain u32 values or lists of them (id records, key
// records, the free-slot list).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace arroy {

// u32 lists (free slots, id records).
std::vector<uint8_t> encode_u32_list(const std::vector<uint32_t>& values);
std::vector<uint32_t> decode_u32_list(const void* data, size_t size, const char* what);
uint32_t decode_u32(const void* data, size_t size, const char* what);

}  // namespace arroy
