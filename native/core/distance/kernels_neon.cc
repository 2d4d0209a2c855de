// NEON kernels for aarch64, where Advanced SIMD is always present.
//
// Inputs can be 2-byte aligned. The hardware does not care (LD1 accepts any
// address on normal memory), but vld1q_f32 formally takes a float*, so the
// loads go through vld1q_u8 on the bytes and reinterpret the lanes (aarch64
// Linux, macOS and Windows are little-endian, as is the file format).
#include "distance/simd_tables.h"

#if defined(__aarch64__)

#include <arm_neon.h>

#include <cstring>

namespace arroy {
namespace {

inline float32x4_t load4(const unsigned char* p) { return vreinterpretq_f32_u8(vld1q_u8(p)); }

struct DotNeon {
  static inline float32x4_t step(float32x4_t acc, float32x4_t x, float32x4_t y) {
    return vfmaq_f32(acc, x, y);
  }
};
struct L2SqNeon {
  static inline float32x4_t step(float32x4_t acc, float32x4_t x, float32x4_t y) {
    float32x4_t d = vsubq_f32(x, y);
    return vfmaq_f32(acc, d, d);
  }
};
struct L1Neon {
  static inline float32x4_t step(float32x4_t acc, float32x4_t x, float32x4_t y) {
    return vaddq_f32(acc, vabdq_f32(x, y));
  }
};

// Four 4-lane accumulators; the tail (< 4 floats) is copied into a
// zero-padded block, which contributes 0 to every reduction.
template <class Op>
float reduce_neon(const void* a, const void* b, size_t n) {
  const auto* pa = static_cast<const unsigned char*>(a);
  const auto* pb = static_cast<const unsigned char*>(b);
  constexpr size_t W = 4;
  float32x4_t acc0 = vdupq_n_f32(0.0f);
  float32x4_t acc1 = vdupq_n_f32(0.0f);
  float32x4_t acc2 = vdupq_n_f32(0.0f);
  float32x4_t acc3 = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    const unsigned char* xa = pa + i * sizeof(float);
    const unsigned char* xb = pb + i * sizeof(float);
    acc0 = Op::step(acc0, load4(xa), load4(xb));
    acc1 = Op::step(acc1, load4(xa + 16), load4(xb + 16));
    acc2 = Op::step(acc2, load4(xa + 32), load4(xb + 32));
    acc3 = Op::step(acc3, load4(xa + 48), load4(xb + 48));
  }
  for (; i + W <= n; i += W) {
    acc0 = Op::step(acc0, load4(pa + i * sizeof(float)), load4(pb + i * sizeof(float)));
  }
  if (i < n) {
    float x[W] = {};
    float y[W] = {};
    std::memcpy(x, pa + i * sizeof(float), (n - i) * sizeof(float));
    std::memcpy(y, pb + i * sizeof(float), (n - i) * sizeof(float));
    acc1 = Op::step(acc1, vld1q_f32(x), vld1q_f32(y));
  }
  return vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
}

float dot_neon(const void* a, const void* b, size_t n) { return reduce_neon<DotNeon>(a, b, n); }
float l2_squared_neon(const void* a, const void* b, size_t n) { return reduce_neon<L2SqNeon>(a, b, n); }
float l1_neon(const void* a, const void* b, size_t n) { return reduce_neon<L1Neon>(a, b, n); }

const Kernels kNeon = {"neon", dot_neon, l2_squared_neon, l1_neon};

}  // namespace

void detail::append_simd_kernels(std::vector<const Kernels*>* out) { out->push_back(&kNeon); }

}  // namespace arroy

#endif  // __aarch64__
