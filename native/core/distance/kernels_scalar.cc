// The portable reference kernels.
//
// Inputs may be only 2-byte aligned, so floats are copied out with memcpy
// (which compiles to plain unaligned loads). Each kernel keeps kLanes
// independent partial sums: lane j only ever adds elements i with i % kLanes
// == j, so the compiler can hold the lanes in one vector register and
// vectorise the loop without reassociating anything (no -ffast-math needed).
// The final result therefore depends only on n, never on the ISA.
#include <cmath>
#include <cstring>

#include "distance/kernels.h"

namespace arroy {
namespace {

constexpr size_t kLanes = 8;

inline float load_at(const unsigned char* p, size_t i) {
  float v;
  std::memcpy(&v, p + i * sizeof(float), sizeof v);
  return v;
}

inline float sum_lanes(const float* acc) {
  // Pairwise, in a fixed order.
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

// Op::term(x, y) is the per-element contribution.
template <class Op>
float reduce(const void* a, const void* b, size_t n) {
  const auto* pa = static_cast<const unsigned char*>(a);
  const auto* pb = static_cast<const unsigned char*>(b);
  float acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) acc[j] += Op::term(load_at(pa, i + j), load_at(pb, i + j));
  }
  float tail = 0.0f;
  for (; i < n; ++i) tail += Op::term(load_at(pa, i), load_at(pb, i));
  return sum_lanes(acc) + tail;
}

struct DotOp {
  static float term(float x, float y) { return x * y; }
};
struct L2Op {
  static float term(float x, float y) {
    float d = x - y;
    return d * d;
  }
};
struct L1Op {
  static float term(float x, float y) { return std::fabs(x - y); }
};

float dot_scalar(const void* a, const void* b, size_t n) { return reduce<DotOp>(a, b, n); }
float l2_squared_scalar(const void* a, const void* b, size_t n) { return reduce<L2Op>(a, b, n); }
float l1_scalar(const void* a, const void* b, size_t n) { return reduce<L1Op>(a, b, n); }

const Kernels kScalar = {"scalar", dot_scalar, l2_squared_scalar, l1_scalar};

}  // namespace

const Kernels& scalar_kernels() { return kScalar; }

}  // namespace arroy
