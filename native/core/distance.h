// Distance metrics and the SIMD kernels behind them.
//
// Stored vectors are read in place from LMDB's memory map, where a value is
// only 2-byte aligned, so every kernel takes `const void*` and loads with
// unaligned loads (memcpy in scalar code, loadu in SIMD code). Dereferencing a
// misaligned float* would be undefined behaviour.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace arroy {

// The user-facing `distance` of each metric, for vectors a and b:
//   Euclidean:  sqrt(sum (a_i - b_i)^2)                 (L2, not squared)
//   Manhattan:  sum |a_i - b_i|                         (L1)
//   Cosine:     1 - (a . b) / (|a| |b|), in [0, 2]      (zero vectors are rejected on input)
//   DotProduct: -(a . b)                                (negated so that ascending = most similar)
// Stored as a byte in index metadata: never renumber.
enum class Metric : uint8_t { Euclidean = 0, Manhattan = 1, Cosine = 2, DotProduct = 3 };

const char* metric_name(Metric metric);                   // "euclidean", "manhattan", "cosine", "dot"
bool parse_metric(const std::string& name, Metric* out);  // inverse of metric_name
bool is_valid_metric_byte(uint8_t value);

// One implementation of the three primitive reductions over n floats.
struct Kernels {
  const char* name;  // "scalar", "avx2", "avx512", "neon"
  float (*dot)(const void* a, const void* b, size_t n);
  float (*l2_squared)(const void* a, const void* b, size_t n);
  float (*l1)(const void* a, const void* b, size_t n);
};

// The portable reference implementation.
const Kernels& scalar_kernels();

// Every implementation this CPU can run, scalar first. Used by tests and benchmarks.
std::vector<const Kernels*> supported_kernels();

// The fastest supported implementation, chosen once by CPU detection on first
// use. ARROY_SIMD=<name> in the environment forces one (e.g. "scalar") when it
// is supported, which is how a user rules out a kernel bug.
const Kernels& active_kernels();

// The user-facing distance (see Metric) between a and b, given their L2 norms.
float metric_distance(const Kernels& k, Metric metric, const void* a, float a_norm, const void* b,
                      float b_norm, size_t n);

// L2 norm of n floats.
float l2_norm(const Kernels& k, const void* v, size_t n);

}  // namespace arroy
