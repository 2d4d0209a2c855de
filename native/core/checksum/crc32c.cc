#include "checksum/crc32c.h"

#include <cstring>

#include "checksum/crc32c_hardware.h"

namespace arroy {

namespace {

// Reflected form of the Castagnoli polynomial 0x1EDC6F41.
constexpr uint32_t kPolynomial = 0x82F63B78u;

// Eight tables: table[k][b] is the CRC contribution of byte b followed by k
// zero bytes, so eight input bytes fold in with eight lookups and no
// dependency between them ("slicing by 8").
struct Tables {
  uint32_t t[8][256];
};

constexpr Tables make_tables() {
  Tables tables{};
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; bit++) c = (c >> 1) ^ ((c & 1) ? kPolynomial : 0);
    tables.t[0][b] = c;
  }
  for (int k = 1; k < 8; k++) {
    for (uint32_t b = 0; b < 256; b++) {
      uint32_t prev = tables.t[k - 1][b];
      tables.t[k][b] = (prev >> 8) ^ tables.t[0][prev & 0xFF];
    }
  }
  return tables;
}

constexpr Tables kTables = make_tables();

Crc32cFunction choose() {
  Crc32cFunction hardware = crc32c_hardware();
  return hardware ? hardware : &crc32c_scalar;
}

}  // namespace

uint32_t crc32c_scalar(const void* data, size_t size, uint32_t crc) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
  for (; size >= 8; size -= 8, p += 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);  // little-endian host (records/bytes.h insists)
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = kTables.t[7][lo & 0xFF] ^ kTables.t[6][(lo >> 8) & 0xFF] ^ kTables.t[5][(lo >> 16) & 0xFF] ^
        kTables.t[4][lo >> 24] ^ kTables.t[3][hi & 0xFF] ^ kTables.t[2][(hi >> 8) & 0xFF] ^
        kTables.t[1][(hi >> 16) & 0xFF] ^ kTables.t[0][hi >> 24];
  }
  for (; size > 0; size--, p++) c = (c >> 8) ^ kTables.t[0][(c ^ *p) & 0xFF];
  return ~c;
}

uint32_t crc32c(const void* data, size_t size, uint32_t crc) {
  // Chosen once, thread-safely, on first use.
  static const Crc32cFunction chosen = choose();
  return chosen(data, size, crc);
}

const char* crc32c_implementation() {
  return crc32c_hardware() ? crc32c_hardware_name() : "scalar";
}

}  // namespace arroy
