// CRC32C (Castagnoli, the polynomial of iSCSI, ext4 and SSE4.2's crc32
// instruction): the checksum a snapshot carries over its bytes.
//
// Why CRC32C and not a cryptographic hash: it guards against damage in
// transit or at rest (a truncated or flipped download), not against someone
// forging a file, and x86-64 computes it in hardware at memory speed, so a
// verified open costs little more than reading the file once.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arroy {

// The CRC of `size` more bytes after a running `crc` (0 to start): crc32c(a
// then b) == crc32c_update(crc32c_update(0, a), b).
uint32_t crc32c_update(uint32_t crc, const void* data, size_t size);

// The portable table-driven version, which crc32c_update uses when the CPU
// has no CRC32C instruction; exposed so the tests can compare the two.
uint32_t crc32c_portable(uint32_t crc, const void* data, size_t size);

// "sse4.2" or "portable": which version crc32c_update runs on this CPU.
const char* crc32c_implementation();

}  // namespace arroy
