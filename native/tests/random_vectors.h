// Random vectors for tests, fuzzers and benchmarks. Header-only and free of
// the rest of the core, so that the distance tests build on their own (the
// arm64 cross build of scripts/test-neon.sh compiles only the distance code).
#pragma once

#include <cstddef>
#include <random>
#include <vector>

namespace arroy_test {

// n floats drawn from the standard normal distribution: what the index
// tests store.
template <class Rng>
std::vector<float> normal_vector(Rng& rng, size_t n) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

// n floats drawn uniformly from [lo, hi): what the distance kernels are
// tested and timed on.
template <class Rng>
std::vector<float> uniform_vector(Rng& rng, size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> uniform(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = uniform(rng);
  return v;
}

}  // namespace arroy_test
