// Distance metrics and kernels.
//
// Every kernel the CPU supports is compared with a double-precision reference
// on random data of every length 0..130 and a few large ones, through aligned
// and deliberately misaligned (2-byte aligned) pointers. Buffers end exactly
// where the data ends, so under ASan a kernel that reads past the last float
// fails loudly; a separate test surrounds the data with NaN bytes to catch
// the same bug without ASan.
//
// Kernel override: ARROY_SIMD=<name> (scalar, avx2, avx512, neon) makes
// active_kernels() use that kernel when the CPU supports it, and is ignored
// otherwise. `active_kernels_honours_env` checks this for whatever the
// environment says; CMake runs it once more with ARROY_SIMD=scalar.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "distance/kernels.h"
#include "distance/metric.h"
#include "distance/simd_tables.h"
#include "harness.h"
#include "random_vectors.h"

using arroy::Kernels;
using arroy::Metric;
using arroy_test::uniform_vector;

namespace {

// A float vector copied into its own heap block at a byte offset. The block
// is `prefix` bytes of `fill`, then the floats, then `suffix` bytes of `fill`;
// with no suffix the allocation ends exactly at the last float.
class Buffer {
 public:
  Buffer(const std::vector<float>& values, size_t prefix, size_t suffix = 0, unsigned char fill = 0)
      : size_(prefix + values.size() * sizeof(float) + suffix),
        bytes_(new unsigned char[size_ == 0 ? 1 : size_]),
        prefix_(prefix) {
    std::memset(bytes_.get(), fill, size_);
    if (!values.empty()) std::memcpy(bytes_.get() + prefix, values.data(), values.size() * sizeof(float));
  }
  const void* data() const { return bytes_.get() + prefix_; }

 private:
  size_t size_;
  std::unique_ptr<unsigned char[]> bytes_;
  size_t prefix_;
};

std::vector<size_t> test_lengths() {
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 130; ++n) lengths.push_back(n);
  for (size_t n : {255, 256, 784, 1000, 1536}) lengths.push_back(n);
  return lengths;
}

// (offset of a, offset of b) from a 16-byte aligned allocation.
const size_t kOffsets[][2] = {{0, 0}, {2, 2}, {2, 6}};

std::vector<float> small_int_vector(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> dist(-4, 4);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(dist(rng));
  return v;
}

enum class Op { Dot, L2Squared, L1 };
const Op kOps[] = {Op::Dot, Op::L2Squared, Op::L1};

const char* op_name(Op op) {
  switch (op) {
    case Op::Dot: return "dot";
    case Op::L2Squared: return "l2_squared";
    case Op::L1: return "l1";
  }
  return "?";
}

float run(const Kernels& k, Op op, const void* a, const void* b, size_t n) {
  switch (op) {
    case Op::Dot: return k.dot(a, b, n);
    case Op::L2Squared: return k.l2_squared(a, b, n);
    case Op::L1: return k.l1(a, b, n);
  }
  return 0.0f;
}

// The exact-ish value in double, and the sum of the magnitudes of its terms:
// float rounding error grows with the latter, not with the (possibly
// cancelled) result.
struct Reference {
  double value = 0.0;
  double magnitude = 0.0;
};

Reference reference(Op op, const std::vector<float>& a, const std::vector<float>& b) {
  Reference r;
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = a[i];
    const double y = b[i];
    double term = 0.0;
    switch (op) {
      case Op::Dot: term = x * y; break;
      case Op::L2Squared: term = (x - y) * (x - y); break;
      case Op::L1: term = std::fabs(x - y); break;
    }
    r.value += term;
    r.magnitude += std::fabs(term);
  }
  return r;
}

// Relative to the terms' magnitude: float32 summation of up to 1536 terms
// with 8+ partial sums stays orders of magnitude below this.
constexpr double kRelativeTolerance = 1e-5;
constexpr double kAbsoluteTolerance = 1e-6;

// Every op of k on the copies ba of a and bb of b equals the reference
// exactly (for data whose partial sums are all exact in float).
void check_exact(const Kernels& k, const std::vector<float>& a, const Buffer& ba, const std::vector<float>& b,
                 const Buffer& bb) {
  for (Op op : kOps) {
    CONTEXT("op=" << op_name(op));
    CHECK_EQ(static_cast<double>(run(k, op, ba.data(), bb.data(), a.size())), reference(op, a, b).value);
  }
}

float dist(Metric metric, const std::vector<float>& a, const std::vector<float>& b,
           const Kernels& k = arroy::scalar_kernels()) {
  return arroy::metric_distance(k, metric, a.data(), arroy::l2_norm(k, a.data(), a.size()), b.data(),
                                arroy::l2_norm(k, b.data(), b.size()), a.size());
}

}  // namespace

// ------------------------------------------------------------------ kernel selection

TEST(supported_kernels_start_with_scalar) {
  const std::vector<const Kernels*> kernels = arroy::supported_kernels();
  if (!CHECK(!kernels.empty())) return;
  CHECK(kernels.front() == &arroy::scalar_kernels());
  std::set<std::string> names;
  for (const Kernels* k : kernels) {
    CONTEXT("kernel=" << k->name);
    CHECK(k->dot != nullptr);
    CHECK(k->l2_squared != nullptr);
    CHECK(k->l1 != nullptr);
    const std::string name = k->name;
    CHECK(name == "scalar" || name == "avx2" || name == "avx512" || name == "neon");
    CHECK(names.insert(name).second);
  }
  std::printf("supported kernels:");
  for (const Kernels* k : kernels) std::printf(" %s", k->name);
  std::printf("; active: %s\n", arroy::active_kernels().name);
}

TEST(select_kernels_honours_request) {
  using arroy::detail::select_kernels;
  const std::vector<const Kernels*> kernels = arroy::supported_kernels();
  CHECK(select_kernels(kernels, nullptr) == kernels.back());
  CHECK(select_kernels(kernels, "") == kernels.back());
  CHECK(select_kernels(kernels, "no-such-kernel") == kernels.back());
  CHECK(select_kernels(kernels, "SCALAR") == kernels.back());  // names are exact
  for (const Kernels* k : kernels) {
    CONTEXT("kernel=" << k->name);
    CHECK(select_kernels(kernels, k->name) == k);
  }
  // A kernel this CPU lacks is ignored like an unknown name.
  const std::vector<const Kernels*> scalar_only = {&arroy::scalar_kernels()};
  CHECK(select_kernels(scalar_only, "avx512") == &arroy::scalar_kernels());
  CHECK(select_kernels(scalar_only, "neon") == &arroy::scalar_kernels());
}

TEST(active_kernels_honours_env) {
  const std::vector<const Kernels*> kernels = arroy::supported_kernels();
  const Kernels& active = arroy::active_kernels();
  CHECK(&active == &arroy::active_kernels());  // chosen once
  const char* requested = std::getenv("ARROY_SIMD");
  const Kernels* expected = kernels.back();
  if (requested != nullptr) {
    for (const Kernels* k : kernels) {
      if (std::strcmp(k->name, requested) == 0) expected = k;
    }
  }
  CHECK_EQ(active.name, expected->name);
}

// ------------------------------------------------------------------ kernels vs reference

TEST(kernels_match_double_reference) {
  std::mt19937 rng(12345);
  for (const Kernels* k : arroy::supported_kernels()) {
    double worst = 0.0;
    for (size_t n : test_lengths()) {
      for (const auto& offsets : kOffsets) {
        const std::vector<float> a = uniform_vector(rng, n);
        const std::vector<float> b = uniform_vector(rng, n);
        const Buffer ba(a, offsets[0]);
        const Buffer bb(b, offsets[1]);
        for (Op op : kOps) {
          CONTEXT("kernel=" << k->name << " op=" << op_name(op) << " n=" << n << " offsets=" << offsets[0] << ","
                            << offsets[1]);
          const Reference ref = reference(op, a, b);
          const float got = run(*k, op, ba.data(), bb.data(), n);
          CHECK_NEAR(got, ref.value, kRelativeTolerance * ref.magnitude + kAbsoluteTolerance);
          if (ref.magnitude > 0) worst = std::max(worst, std::fabs(got - ref.value) / ref.magnitude);
        }
      }
    }
    std::printf("%-7s worst |error| / sum|terms| = %.2e\n", k->name, worst);
  }
}

TEST(kernels_exact_on_small_integers) {
  // Every partial sum is an integer below 2^24, so every summation order and
  // FMA gives the exact result: a lost or doubled element cannot hide in a
  // tolerance.
  std::mt19937 rng(777);
  for (const Kernels* k : arroy::supported_kernels()) {
    for (size_t n : test_lengths()) {
      for (const auto& offsets : kOffsets) {
        const std::vector<float> a = small_int_vector(rng, n);
        const std::vector<float> b = small_int_vector(rng, n);
        CONTEXT("kernel=" << k->name << " n=" << n << " offsets=" << offsets[0] << "," << offsets[1]);
        check_exact(*k, a, Buffer(a, offsets[0]), b, Buffer(b, offsets[1]));
      }
    }
  }
}

TEST(kernels_ignore_bytes_outside_the_vector) {
  // Surround the data with 0xFF bytes: any float built from them is NaN, so a
  // kernel that lets bytes beyond either end into the sum returns NaN.
  std::mt19937 rng(99);
  for (const Kernels* k : arroy::supported_kernels()) {
    for (size_t n : test_lengths()) {
      for (size_t offset : {64, 66}) {
        const std::vector<float> a = small_int_vector(rng, n);
        const std::vector<float> b = small_int_vector(rng, n);
        CONTEXT("kernel=" << k->name << " n=" << n << " offset=" << offset);
        check_exact(*k, a, Buffer(a, offset, 64, 0xFF), b, Buffer(b, offset, 64, 0xFF));
      }
    }
  }
}

TEST(kernels_agree_with_each_other_on_large_values) {
  // Magnitudes around 1e3..1e4 (squared terms ~1e8) exercise relative error
  // away from the unit range.
  std::mt19937 rng(4242);
  for (const Kernels* k : arroy::supported_kernels()) {
    for (size_t n : {3, 17, 100, 784, 1536}) {
      const std::vector<float> a = uniform_vector(rng, n, -1e4f, 1e4f);
      const std::vector<float> b = uniform_vector(rng, n, -1e3f, 1e3f);
      const Buffer ba(a, 2);
      const Buffer bb(b, 2);
      for (Op op : kOps) {
        CONTEXT("kernel=" << k->name << " op=" << op_name(op) << " n=" << n);
        const Reference ref = reference(op, a, b);
        CHECK_NEAR(run(*k, op, ba.data(), bb.data(), n), ref.value, kRelativeTolerance * ref.magnitude);
      }
    }
  }
}

// ------------------------------------------------------------------ metrics

TEST(metric_names_round_trip) {
  for (Metric m : arroy::kMetrics) {
    Metric parsed = Metric::Euclidean;
    CHECK(arroy::parse_metric(arroy::metric_name(m), &parsed));
    CHECK(parsed == m);
    CHECK(arroy::is_valid_metric_byte(static_cast<uint8_t>(m)));
  }
  CHECK_EQ(arroy::metric_name(Metric::Euclidean), "euclidean");
  CHECK_EQ(arroy::metric_name(Metric::Manhattan), "manhattan");
  CHECK_EQ(arroy::metric_name(Metric::Cosine), "cosine");
  CHECK_EQ(arroy::metric_name(Metric::DotProduct), "dot");
}

TEST(metric_bytes_are_stable) {
  // Stored in index metadata: these numbers must never change.
  CHECK_EQ(static_cast<int>(Metric::Euclidean), 0);
  CHECK_EQ(static_cast<int>(Metric::Manhattan), 1);
  CHECK_EQ(static_cast<int>(Metric::Cosine), 2);
  CHECK_EQ(static_cast<int>(Metric::DotProduct), 3);
  for (int v = 0; v < 256; ++v) {
    CONTEXT("byte=" << v);
    CHECK_EQ(arroy::is_valid_metric_byte(static_cast<uint8_t>(v)), v <= 3);
  }
}

TEST(parse_metric_rejects_other_names) {
  for (const char* bad : {"", "Euclidean", "COSINE", "euclid", "l2", "cosine ", " dot", "dotproduct", "angular",
                          "hamming", "dot\n"}) {
    CONTEXT("name=\"" << bad << "\"");
    Metric out = Metric::Manhattan;
    CHECK(!arroy::parse_metric(bad, &out));
    CHECK(out == Metric::Manhattan);  // untouched on failure
  }
  Metric out = Metric::Euclidean;
  CHECK(!arroy::parse_metric(std::string("cosine\0x", 8), &out));
}

TEST(metric_distance_hand_computed) {
  for (const Kernels* k : arroy::supported_kernels()) {
    CONTEXT("kernel=" << k->name);
    const std::vector<float> origin = {0, 0};
    const std::vector<float> p34 = {3, 4};
    CHECK_EQ(dist(Metric::Euclidean, origin, p34, *k), 5.0f);
    CHECK_EQ(dist(Metric::Manhattan, origin, p34, *k), 7.0f);
    CHECK_EQ(dist(Metric::DotProduct, origin, p34, *k), 0.0f);
    CHECK_EQ(dist(Metric::Cosine, origin, p34, *k), 1.0f);  // a zero norm gives 1
    CHECK_EQ(dist(Metric::Cosine, p34, origin, *k), 1.0f);

    const std::vector<float> a = {1, 2, 3};
    const std::vector<float> b = {4, -5, 6};
    // a.b = 4 - 10 + 18 = 12; a-b = (-3, 7, -3)
    CHECK_EQ(dist(Metric::DotProduct, a, b, *k), -12.0f);
    CHECK_NEAR(dist(Metric::Euclidean, a, b, *k), std::sqrt(67.0), 1e-6);
    CHECK_EQ(dist(Metric::Manhattan, a, b, *k), 13.0f);
    // cos = 12 / (sqrt(14) sqrt(77))
    CHECK_NEAR(dist(Metric::Cosine, a, b, *k), 1.0 - 12.0 / std::sqrt(14.0 * 77.0), 1e-6);

    const std::vector<float> x = {1, 0};
    const std::vector<float> y = {0, 1};
    CHECK_EQ(dist(Metric::Cosine, x, y, *k), 1.0f);  // orthogonal
    CHECK_EQ(dist(Metric::DotProduct, x, y, *k), 0.0f);
    CHECK_NEAR(dist(Metric::Euclidean, x, y, *k), std::sqrt(2.0), 1e-7);

    const std::vector<float> c = {1, 2};
    const std::vector<float> minus_c = {-1, -2};
    const std::vector<float> twice_c = {2, 4};
    CHECK_NEAR(dist(Metric::Cosine, c, minus_c, *k), 2.0, 1e-6);  // opposite
    CHECK_NEAR(dist(Metric::Cosine, c, c, *k), 0.0, 1e-6);        // identical
    CHECK_NEAR(dist(Metric::Cosine, c, twice_c, *k), 0.0, 1e-6);  // same direction
    CHECK_EQ(dist(Metric::DotProduct, c, twice_c, *k), -10.0f);
    CHECK_EQ(dist(Metric::Euclidean, c, c, *k), 0.0f);
    CHECK_EQ(dist(Metric::Manhattan, c, c, *k), 0.0f);

    const std::vector<float> empty;
    CHECK_EQ(dist(Metric::Euclidean, empty, empty, *k), 0.0f);
    CHECK_EQ(dist(Metric::Cosine, empty, empty, *k), 1.0f);
  }
}

TEST(metric_distance_uses_given_norms) {
  // The norms are an input (cached in item records), not recomputed.
  const std::vector<float> a = {1, 0};
  const std::vector<float> b = {1, 0};
  const Kernels& k = arroy::scalar_kernels();
  CHECK_NEAR(arroy::metric_distance(k, Metric::Cosine, a.data(), 2.0f, b.data(), 1.0f, 2), 0.5, 1e-7);
  CHECK_EQ(arroy::metric_distance(k, Metric::Cosine, a.data(), 0.0f, b.data(), 1.0f, 2), 1.0f);
  CHECK_EQ(arroy::metric_distance(k, Metric::Cosine, a.data(), 1.0f, b.data(), 0.0f, 2), 1.0f);
  // A cosine pushed past +-1 by stale or rounded norms is clamped into [0, 2].
  CHECK_EQ(arroy::metric_distance(k, Metric::Cosine, a.data(), 0.5f, b.data(), 1.0f, 2), 0.0f);
  const std::vector<float> minus_a = {-1, 0};
  CHECK_EQ(arroy::metric_distance(k, Metric::Cosine, a.data(), 0.5f, minus_a.data(), 1.0f, 2), 2.0f);
}

TEST(cosine_stays_in_range) {
  std::mt19937 rng(2024);
  for (const Kernels* k : arroy::supported_kernels()) {
    for (size_t n : {1, 2, 7, 33, 100, 784}) {
      CONTEXT("kernel=" << k->name << " n=" << n);
      for (int trial = 0; trial < 20; ++trial) {
        const std::vector<float> a = uniform_vector(rng, n, -3.0f, 3.0f);
        const std::vector<float> b = uniform_vector(rng, n, -3.0f, 3.0f);
        std::vector<float> minus_a(a);
        for (float& v : minus_a) v = -v;
        const float d = dist(Metric::Cosine, a, b, *k);
        CHECK(d >= 0.0f && d <= 2.0f);
        const float same = dist(Metric::Cosine, a, a, *k);
        CHECK(same >= 0.0f && same <= 1e-6f);
        const float opposite = dist(Metric::Cosine, a, minus_a, *k);
        CHECK(opposite <= 2.0f && opposite >= 2.0f - 1e-6f);
        CHECK(dist(Metric::Euclidean, a, b, *k) >= 0.0f);
        CHECK(dist(Metric::Manhattan, a, b, *k) >= 0.0f);
        CHECK_EQ(dist(Metric::Euclidean, a, a, *k), 0.0f);
      }
    }
  }
}

TEST(metric_distance_matches_reference_on_misaligned_input) {
  std::mt19937 rng(31337);
  for (const Kernels* k : arroy::supported_kernels()) {
    for (size_t n : {5, 64, 100, 784}) {
      const std::vector<float> a = uniform_vector(rng, n);
      const std::vector<float> b = uniform_vector(rng, n);
      const Buffer ba(a, 2);
      const Buffer bb(b, 6);
      const double dot = reference(Op::Dot, a, b).value;
      const double na = std::sqrt(reference(Op::Dot, a, a).value);
      const double nb = std::sqrt(reference(Op::Dot, b, b).value);
      const float fa = arroy::l2_norm(*k, ba.data(), n);
      const float fb = arroy::l2_norm(*k, bb.data(), n);
      CONTEXT("kernel=" << k->name << " n=" << n);
      CHECK_NEAR(fa, na, 1e-5 * na);
      CHECK_NEAR(fb, nb, 1e-5 * nb);
      auto md = [&](Metric m) { return arroy::metric_distance(*k, m, ba.data(), fa, bb.data(), fb, n); };
      CHECK_NEAR(md(Metric::Euclidean), std::sqrt(reference(Op::L2Squared, a, b).value), 1e-4);
      CHECK_NEAR(md(Metric::Manhattan), reference(Op::L1, a, b).value, 1e-5 * n);
      CHECK_NEAR(md(Metric::Cosine), 1.0 - dot / (na * nb), 1e-5);
      CHECK_NEAR(md(Metric::DotProduct), -dot, 1e-5 * n);
    }
  }
}

TEST(l2_norm_basics) {
  for (const Kernels* k : arroy::supported_kernels()) {
    CONTEXT("kernel=" << k->name);
    const std::vector<float> v = {3, 4};
    CHECK_EQ(arroy::l2_norm(*k, v.data(), 2), 5.0f);
    const std::vector<float> zero(37, 0.0f);
    CHECK_EQ(arroy::l2_norm(*k, zero.data(), zero.size()), 0.0f);
    CHECK_EQ(arroy::l2_norm(*k, zero.data(), 0), 0.0f);
    const std::vector<float> ones(100, 1.0f);
    CHECK_EQ(arroy::l2_norm(*k, ones.data(), ones.size()), 10.0f);
  }
}

TEST(metric_distance_rejects_unknown_metric) {
  const std::vector<float> a = {1, 2};
  CHECK_THROWS_CODE(arroy::metric_distance(arroy::scalar_kernels(), static_cast<Metric>(9), a.data(), 1.0f,
                                           a.data(), 1.0f, 2),
                    arroy::ErrorCode::InvalidArgument);
}
