// AVX2+FMA and AVX-512F kernels.
//
// The library is built for baseline x86-64, so each kernel carries its own
// target attribute and runs only after CPU detection said it may. All loads
// are unaligned (inputs can be 2-byte aligned views into LMDB's map); pointers
// are kept as bytes and cast to float* only to name the address of a loadu.
#include "distance/simd_tables.h"

#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>

#include <cstdint>

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define ARROY_TARGET(isa)  // MSVC lets any function use any intrinsic.
#else
#define ARROY_TARGET(isa) __attribute__((target(isa)))
#endif

namespace arroy {
namespace {

// ------------------------------------------------------------------ detection

struct CpuFeatures {
  bool avx2_fma = false;
  bool avx512f = false;
};

CpuFeatures detect_cpu() {
  CpuFeatures f;
#if defined(_MSC_VER) && !defined(__clang__)
  int regs[4];
  __cpuid(regs, 0);
  const int max_leaf = regs[0];
  __cpuid(regs, 1);
  const bool osxsave = (regs[2] & (1 << 27)) != 0;
  const bool avx = (regs[2] & (1 << 28)) != 0;
  const bool fma = (regs[2] & (1 << 12)) != 0;
  if (!osxsave || !avx || max_leaf < 7) return f;
  const unsigned long long xcr0 = _xgetbv(0);
  const bool ymm_state = (xcr0 & 0x6) == 0x6;
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;
  __cpuidex(regs, 7, 0);
  f.avx2_fma = ymm_state && fma && (regs[1] & (1 << 5)) != 0;
  f.avx512f = zmm_state && (regs[1] & (1 << 16)) != 0;
#else
  // libgcc / compiler-rt also check that the OS saves the YMM/ZMM state.
  __builtin_cpu_init();
  f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  f.avx512f = __builtin_cpu_supports("avx512f");
#endif
  return f;
}

inline const float* as_floats(const unsigned char* p) { return reinterpret_cast<const float*>(p); }

// ------------------------------------------------------------------ AVX2 + FMA

ARROY_TARGET("avx") inline float hsum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 0x1));
  return _mm_cvtss_f32(s);
}

struct Dot256 {
  ARROY_TARGET("avx2,fma") static inline __m256 step(__m256 acc, __m256 x, __m256 y) {
    return _mm256_fmadd_ps(x, y, acc);
  }
};
struct L2Sq256 {
  ARROY_TARGET("avx2,fma") static inline __m256 step(__m256 acc, __m256 x, __m256 y) {
    __m256 d = _mm256_sub_ps(x, y);
    return _mm256_fmadd_ps(d, d, acc);
  }
};
struct L1_256 {
  ARROY_TARGET("avx2,fma") static inline __m256 step(__m256 acc, __m256 x, __m256 y) {
    __m256 d = _mm256_sub_ps(x, y);
    return _mm256_add_ps(acc, _mm256_andnot_ps(_mm256_set1_ps(-0.0f), d));  // |d|
  }
};

// kTailMask + 8 - r, read as 8 ints, enables exactly the first r lanes.
alignas(32) const int32_t kTailMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

// Four 8-lane accumulators hide the FMA latency; the tail (< 8 floats) uses
// masked loads, whose disabled lanes read as 0 and add 0 to every reduction.
template <class Op>
ARROY_TARGET("avx2,fma") float reduce_avx2(const void* a, const void* b, size_t n) {
  const auto* pa = static_cast<const unsigned char*>(a);
  const auto* pb = static_cast<const unsigned char*>(b);
  constexpr size_t W = 8;
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps();
  __m256 acc3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    const unsigned char* xa = pa + i * sizeof(float);
    const unsigned char* xb = pb + i * sizeof(float);
    acc0 = Op::step(acc0, _mm256_loadu_ps(as_floats(xa)), _mm256_loadu_ps(as_floats(xb)));
    acc1 = Op::step(acc1, _mm256_loadu_ps(as_floats(xa + 32)), _mm256_loadu_ps(as_floats(xb + 32)));
    acc2 = Op::step(acc2, _mm256_loadu_ps(as_floats(xa + 64)), _mm256_loadu_ps(as_floats(xb + 64)));
    acc3 = Op::step(acc3, _mm256_loadu_ps(as_floats(xa + 96)), _mm256_loadu_ps(as_floats(xb + 96)));
  }
  for (; i + W <= n; i += W) {
    acc0 = Op::step(acc0, _mm256_loadu_ps(as_floats(pa + i * sizeof(float))),
                    _mm256_loadu_ps(as_floats(pb + i * sizeof(float))));
  }
  if (i < n) {
    // Lanes past the end are masked off: read as 0 and never touched, so no
    // fault and no out-of-bounds access.
    const __m256i mask = _mm256_loadu_si256(
        reinterpret_cast<const __m256i*>(kTailMask + W - (n - i)));
    acc1 = Op::step(acc1, _mm256_maskload_ps(as_floats(pa + i * sizeof(float)), mask),
                    _mm256_maskload_ps(as_floats(pb + i * sizeof(float)), mask));
  }
  return hsum256(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
}

float dot_avx2(const void* a, const void* b, size_t n) { return reduce_avx2<Dot256>(a, b, n); }
float l2_squared_avx2(const void* a, const void* b, size_t n) { return reduce_avx2<L2Sq256>(a, b, n); }
float l1_avx2(const void* a, const void* b, size_t n) { return reduce_avx2<L1_256>(a, b, n); }

const Kernels kAvx2 = {"avx2", dot_avx2, l2_squared_avx2, l1_avx2};

// ------------------------------------------------------------------ AVX-512F

struct Dot512 {
  ARROY_TARGET("avx512f") static inline __m512 step(__m512 acc, __m512 x, __m512 y) {
    return _mm512_fmadd_ps(x, y, acc);
  }
};
struct L2Sq512 {
  ARROY_TARGET("avx512f") static inline __m512 step(__m512 acc, __m512 x, __m512 y) {
    __m512 d = _mm512_sub_ps(x, y);
    return _mm512_fmadd_ps(d, d, acc);
  }
};
struct L1_512 {
  ARROY_TARGET("avx512f") static inline __m512 step(__m512 acc, __m512 x, __m512 y) {
    return _mm512_add_ps(acc, _mm512_abs_ps(_mm512_sub_ps(x, y)));
  }
};

ARROY_TARGET("avx512f") inline float hsum512(__m512 v) {
  // Add the 256-bit halves, then finish in AVX. The "mask_" extracts with an
  // explicit source are used because GCC 12 warns (-Wuninitialized, a
  // compiler bug) about the plain extract/cast intrinsics when they are
  // inlined into a target("avx512f") function.
  const __m256d zero = _mm256_setzero_pd();
  const __m512d d = _mm512_castps_pd(v);
  const __m256 lo = _mm256_castpd_ps(_mm512_mask_extractf64x4_pd(zero, 0xF, d, 0));
  const __m256 hi = _mm256_castpd_ps(_mm512_mask_extractf64x4_pd(zero, 0xF, d, 1));
  return hsum256(_mm256_add_ps(lo, hi));
}

// Four 16-lane accumulators; the tail (< 16 floats) uses masked loads, which
// never touch the masked-off bytes.
template <class Op>
ARROY_TARGET("avx512f") float reduce_avx512(const void* a, const void* b, size_t n) {
  const auto* pa = static_cast<const unsigned char*>(a);
  const auto* pb = static_cast<const unsigned char*>(b);
  constexpr size_t W = 16;
  __m512 acc0 = _mm512_setzero_ps();
  __m512 acc1 = _mm512_setzero_ps();
  __m512 acc2 = _mm512_setzero_ps();
  __m512 acc3 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    const unsigned char* xa = pa + i * sizeof(float);
    const unsigned char* xb = pb + i * sizeof(float);
    acc0 = Op::step(acc0, _mm512_loadu_ps(xa), _mm512_loadu_ps(xb));
    acc1 = Op::step(acc1, _mm512_loadu_ps(xa + 64), _mm512_loadu_ps(xb + 64));
    acc2 = Op::step(acc2, _mm512_loadu_ps(xa + 128), _mm512_loadu_ps(xb + 128));
    acc3 = Op::step(acc3, _mm512_loadu_ps(xa + 192), _mm512_loadu_ps(xb + 192));
  }
  for (; i + W <= n; i += W) {
    acc0 = Op::step(acc0, _mm512_loadu_ps(pa + i * sizeof(float)),
                    _mm512_loadu_ps(pb + i * sizeof(float)));
  }
  if (i < n) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (n - i)) - 1u);
    acc1 = Op::step(acc1, _mm512_maskz_loadu_ps(mask, pa + i * sizeof(float)),
                    _mm512_maskz_loadu_ps(mask, pb + i * sizeof(float)));
  }
  return hsum512(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

float dot_avx512(const void* a, const void* b, size_t n) { return reduce_avx512<Dot512>(a, b, n); }
float l2_squared_avx512(const void* a, const void* b, size_t n) {
  return reduce_avx512<L2Sq512>(a, b, n);
}
float l1_avx512(const void* a, const void* b, size_t n) { return reduce_avx512<L1_512>(a, b, n); }

const Kernels kAvx512 = {"avx512", dot_avx512, l2_squared_avx512, l1_avx512};

}  // namespace

void detail::append_simd_kernels(std::vector<const Kernels*>* out) {
  static const CpuFeatures features = detect_cpu();
  if (features.avx2_fma) out->push_back(&kAvx2);
  if (features.avx512f) out->push_back(&kAvx512);
}

}  // namespace arroy

#endif  // x86-64
