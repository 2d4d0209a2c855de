// CRC32C (checksum/crc32c.h): the known answers of RFC 3720 (iSCSI, which
// defined the use of this polynomial) and of the common "123456789" check
// value, for every implementation this CPU has; hardware and scalar agreeing
// on random buffers of every length and alignment; chaining.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "checksum/crc32c.h"
#include "harness.h"

namespace {

using arroy::Crc32cFunction;

// Every implementation that can run here: the scalar one, and the hardware one when the CPU has it.
std::vector<std::pair<std::string, Crc32cFunction>> implementations() {
  std::vector<std::pair<std::string, Crc32cFunction>> out{{"scalar", &arroy::crc32c_scalar}};
  if (Crc32cFunction hw = arroy::crc32c_hardware()) out.push_back({"hardware", hw});
  out.push_back({"dispatched", [](const void* p, size_t n, uint32_t c) { return arroy::crc32c(p, n, c); }});
  return out;
}

}  // namespace

TEST(crc32c_known_answers) {
  std::vector<uint8_t> zeros(32, 0x00), ones(32, 0xFF), ascending(32), descending(32);
  for (int i = 0; i < 32; i++) {
    ascending[i] = static_cast<uint8_t>(i);
    descending[i] = static_cast<uint8_t>(31 - i);
  }
  const std::string digits = "123456789";
  for (const auto& [name, crc] : implementations()) {
    CONTEXT("implementation=" << name);
    // RFC 3720, appendix B.4.
    CHECK_EQ(crc(zeros.data(), zeros.size(), 0), 0x8A9136AAu);
    CHECK_EQ(crc(ones.data(), ones.size(), 0), 0x62A8AB43u);
    CHECK_EQ(crc(ascending.data(), ascending.size(), 0), 0x46DD794Eu);
    CHECK_EQ(crc(descending.data(), descending.size(), 0), 0x113FDB5Cu);
    CHECK_EQ(crc(digits.data(), digits.size(), 0), 0xE3069283u);
    CHECK_EQ(crc(digits.data(), 0, 0), 0u);
  }
}

TEST(crc32c_hardware_matches_scalar_on_random_buffers) {
  Crc32cFunction hw = arroy::crc32c_hardware();
  CONTEXT("implementation in use: " << arroy::crc32c_implementation());
#if defined(__x86_64__)
  // Every x86-64 CPU of the last fifteen years has SSE4.2; a machine without
  // it would leave this test comparing scalar with itself.
  CHECK(hw != nullptr);
#endif
  if (!hw) return;
  std::mt19937_64 rng(20261203);
  std::vector<uint8_t> buffer(4096 + 16);
  for (int round = 0; round < 2000; round++) {
    for (uint8_t& b : buffer) b = static_cast<uint8_t>(rng());
    const size_t offset = rng() % 16;  // unaligned starts
    const size_t length = rng() % 4096;
    const uint32_t seed = round % 3 == 0 ? 0 : static_cast<uint32_t>(rng());
    CONTEXT("round=" << round << " offset=" << offset << " length=" << length);
    CHECK_EQ(hw(buffer.data() + offset, length, seed), arroy::crc32c_scalar(buffer.data() + offset, length, seed));
  }
}

TEST(crc32c_chains_and_sees_every_bit) {
  std::mt19937_64 rng(7);
  std::vector<uint8_t> buffer(1000);
  for (uint8_t& b : buffer) b = static_cast<uint8_t>(rng());
  const uint32_t whole = arroy::crc32c(buffer.data(), buffer.size());
  for (size_t split : {size_t(0), size_t(1), size_t(7), size_t(8), size_t(413), size_t(999), size_t(1000)}) {
    CONTEXT("split=" << split);
    uint32_t first = arroy::crc32c(buffer.data(), split);
    CHECK_EQ(arroy::crc32c(buffer.data() + split, buffer.size() - split, first), whole);
  }
  // A CRC detects every single-bit error: flip each bit once.
  size_t missed = 0;
  for (size_t bit = 0; bit < buffer.size() * 8; bit++) {
    buffer[bit / 8] ^= uint8_t(1u << (bit % 8));
    if (arroy::crc32c(buffer.data(), buffer.size()) == whole) missed++;
    buffer[bit / 8] ^= uint8_t(1u << (bit % 8));
  }
  CHECK_EQ(missed, size_t(0));
}
