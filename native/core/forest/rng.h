// A small, fast, seedable generator (xoshiro256** seeded through splitmix64),
// so that a build is a pure function of its seed on every platform: the
// standard library's distributions differ between implementations.
#pragma once

#include <cstdint>

namespace arroy {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : s_) word = splitmix64(seed);
  }

  uint64_t next() {
    uint64_t result = rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n) for n >= 1 (multiply-shift; the bias is below 2^-32).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * uint64_t(n)) >> 32); }

  bool coin() { return (next() >> 63) != 0; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// The seed of tree t of a forest built with `seed`: trees are independent
// streams, so the forest does not depend on how many threads built it.
inline uint64_t tree_seed(uint64_t seed, uint32_t tree) {
  uint64_t state = seed ^ (0xa0761d6478bd642full * (uint64_t(tree) + 1));
  return splitmix64(state);
}

}  // namespace arroy
