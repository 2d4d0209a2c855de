// CRC32C (Castagnoli), the checksum of stored vectors (format.h). The
// polynomial has instructions on both architectures arroy-ts ships for
// (SSE4.2 on x86-64, the ARMv8 CRC extension on arm64), so checking a slot
// costs a few tens of nanoseconds; a table-driven version covers other CPUs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arroy {

// The CRC32C of `size` bytes, continuing from `crc` (the result for the bytes
// before them; 0 to start). Chaining holds: crc32c(b, nb, crc32c(a, na)) is the
// CRC of a followed by b. Uses the fastest implementation this CPU has.
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);

// Which implementation crc32c() uses: "sse4.2", "armv8-crc" or "scalar".
const char* crc32c_implementation();

// For tests: the table-driven version, and the hardware one (null when the
// CPU has none). crc32c() is one of the two.
uint32_t crc32c_scalar(const void* data, size_t size, uint32_t crc);
using Crc32cFunction = uint32_t (*)(const void* data, size_t size, uint32_t crc);
Crc32cFunction crc32c_hardware();

}  // namespace arroy
