#include "snapshot/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define ARROY_CRC32C_SSE42 1
#endif

namespace arroy {

namespace {

constexpr uint32_t kReflectedPolynomial = 0x82F63B78u;

// Slicing-by-8: table[k][b] is the CRC of byte b followed by k zero bytes,
// so eight input bytes fold into the CRC with eight lookups and no carry
// chain from one byte to the next.
using Tables = std::array<std::array<uint32_t, 256>, 8>;

Tables make_tables() {
  Tables t{};
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; bit++) c = (c >> 1) ^ ((c & 1u) ? kReflectedPolynomial : 0u);
    t[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; b++) {
    for (size_t k = 1; k < 8; k++) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFu];
  }
  return t;
}

const Tables& tables() {
  static const Tables t = make_tables();
  return t;
}

#if ARROY_CRC32C_SSE42
// The crc32 instruction has a latency of three cycles and a throughput of
// one, so one chain of it runs at a third of its speed. Three stripes of a
// block are therefore summed side by side from zero and joined afterwards:
// the CRC register is linear over GF(2), so the register after A then B is
// the register after A pushed through |B| zero bytes, xor the one after B
// alone. Pushing through zero bytes is a fixed 32 x 32 bit matrix.
constexpr size_t kStripe = 4096;

using Matrix = std::array<uint32_t, 32>;  // column i: the image of bit i

uint32_t apply(const Matrix& m, uint32_t v) {
  uint32_t out = 0;
  for (size_t i = 0; v != 0; i++, v >>= 1) {
    if (v & 1u) out ^= m[i];
  }
  return out;
}

Matrix compose(const Matrix& outer, const Matrix& inner) {
  Matrix out{};
  for (size_t i = 0; i < 32; i++) out[i] = apply(outer, inner[i]);
  return out;
}

// The register's map through `bytes` zero bytes, by squaring the map of one.
Matrix zero_bytes(size_t bytes) {
  const Tables& t = tables();
  Matrix one{}, result{};
  for (size_t i = 0; i < 32; i++) {
    uint32_t v = 1u << i;
    one[i] = (v >> 8) ^ t[0][v & 0xFFu];
    result[i] = v;
  }
  for (; bytes != 0; bytes >>= 1) {
    if (bytes & 1u) result = compose(one, result);
    one = compose(one, one);
  }
  return result;
}

__attribute__((target("sse4.2"))) uint64_t crc_words(uint64_t c, const uint8_t* p, size_t words) {
  for (size_t i = 0; i < words; i++) {
    uint64_t word;
    std::memcpy(&word, p + 8 * i, 8);  // unaligned input
    c = _mm_crc32_u64(c, word);
  }
  return c;
}

__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(uint32_t crc, const uint8_t* p, size_t size) {
  static const Matrix one_stripe = zero_bytes(kStripe);
  static const Matrix two_stripes = zero_bytes(2 * kStripe);
  uint64_t c = ~crc;
  for (; size >= 3 * kStripe; size -= 3 * kStripe, p += 3 * kStripe) {
    uint64_t a = c, b = 0, d = 0;
    for (size_t i = 0; i < kStripe; i += 8) {
      uint64_t wa, wb, wd;
      std::memcpy(&wa, p + i, 8);
      std::memcpy(&wb, p + kStripe + i, 8);
      std::memcpy(&wd, p + 2 * kStripe + i, 8);
      a = _mm_crc32_u64(a, wa);
      b = _mm_crc32_u64(b, wb);
      d = _mm_crc32_u64(d, wd);
    }
    c = apply(two_stripes, static_cast<uint32_t>(a)) ^ apply(one_stripe, static_cast<uint32_t>(b)) ^
        static_cast<uint32_t>(d);
  }
  c = crc_words(c, p, size / 8);
  p += size / 8 * 8;
  size %= 8;
  uint32_t c32 = static_cast<uint32_t>(c);
  for (; size > 0; size--, p++) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
}

bool has_sse42() {
  static const bool yes = __builtin_cpu_supports("sse4.2");
  return yes;
}
#endif

}  // namespace

uint32_t crc32c_portable(uint32_t crc, const void* data, size_t size) {
  const Tables& t = tables();
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
  for (; size >= 8; size -= 8, p += 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);  // little-endian hosts only (format.h)
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^
        t[3][hi & 0xFFu] ^ t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
  }
  for (; size > 0; size--, p++) c = (c >> 8) ^ t[0][(c ^ *p) & 0xFFu];
  return ~c;
}

uint32_t crc32c_update(uint32_t crc, const void* data, size_t size) {
#if ARROY_CRC32C_SSE42
  if (has_sse42()) return crc32c_sse42(crc, static_cast<const uint8_t*>(data), size);
#endif
  return crc32c_portable(crc, data, size);
}

const char* crc32c_implementation() {
#if ARROY_CRC32C_SSE42
  if (has_sse42()) return "sse4.2";
#endif
  return "portable";
}

}  // namespace arroy
