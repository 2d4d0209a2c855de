// Hardware CRC32C. The library is built for the baseline of each architecture
// (x86-64 without SSE4.2, ARMv8.0 where the CRC extension is optional), so the
// instructions live in functions with their own target attribute, and run
// only after the CPU said it has them.
#include "checksum/crc32c_hardware.h"

#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define ARROY_CRC_X86 1
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#if !defined(__clang__)
// GCC declares the ACLE CRC intrinsics for any function whose target includes
// +crc, whatever the flags of the whole file; clang declares them only when
// the whole file is compiled with +crc, so there its builtins are used.
#include <arm_acle.h>
#endif
#if defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)  // the bit's value in the Linux arm64 ABI
#endif
#endif
#define ARROY_CRC_ARM 1
#endif

namespace arroy {

#if defined(ARROY_CRC_X86)

namespace {

__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const void* data, size_t size, uint32_t crc) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t c = ~crc;
  for (; size >= 8; size -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  for (; size > 0; size--, p++) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
}

}  // namespace

Crc32cFunction crc32c_hardware() {
  static const bool supported = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return supported ? &crc32c_sse42 : nullptr;
}

const char* crc32c_hardware_name() { return "sse4.2"; }

#elif defined(ARROY_CRC_ARM)

namespace {

#if defined(__clang__)
#define ARROY_TARGET_CRC __attribute__((target("crc")))
ARROY_TARGET_CRC inline uint32_t crc32c_u64(uint32_t c, uint64_t v) { return __builtin_arm_crc32cd(c, v); }
ARROY_TARGET_CRC inline uint32_t crc32c_u8(uint32_t c, uint8_t v) { return __builtin_arm_crc32cb(c, v); }
#else
#define ARROY_TARGET_CRC __attribute__((target("+crc")))
ARROY_TARGET_CRC inline uint32_t crc32c_u64(uint32_t c, uint64_t v) { return __crc32cd(c, v); }
ARROY_TARGET_CRC inline uint32_t crc32c_u8(uint32_t c, uint8_t v) { return __crc32cb(c, v); }
#endif

ARROY_TARGET_CRC uint32_t crc32c_armv8(const void* data, size_t size, uint32_t crc) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
  for (; size >= 8; size -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = crc32c_u64(c, word);
  }
  for (; size > 0; size--, p++) c = crc32c_u8(c, *p);
  return ~c;
}

bool cpu_has_crc() {
#if defined(__linux__)
  return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
#elif defined(__APPLE__)
  return true;  // every Apple arm64 CPU has ARMv8.1 or later, which includes CRC32
#else
  return false;
#endif
}

}  // namespace

Crc32cFunction crc32c_hardware() {
  static const bool supported = cpu_has_crc();
  return supported ? &crc32c_armv8 : nullptr;
}

const char* crc32c_hardware_name() { return "armv8-crc"; }

#else

Crc32cFunction crc32c_hardware() { return nullptr; }
const char* crc32c_hardware_name() { return "none"; }

#endif

}  // namespace arroy
