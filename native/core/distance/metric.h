// Distance metrics: what `distance` means for each, computed with the
// kernels of kernels.h. Vectors are `const void*` because stored ones are read
// in place from LMDB's map, where they may be misaligned (kernels.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace arroy {

// The user-facing `distance` of each metric, for vectors a and b:
//   Euclidean:  sqrt(sum (a_i - b_i)^2)                 (L2, not squared)
//   Manhattan:  sum |a_i - b_i|                         (L1)
//   Cosine:     1 - (a . b) / (|a| |b|), in [0, 2]      (zero vectors are rejected on input)
//   DotProduct: -(a . b)                                (negated so that ascending = most similar)
// Stored as a byte in index metadata: never renumber.
enum class Metric : uint8_t { Euclidean = 0, Manhattan = 1, Cosine = 2, DotProduct = 3 };

// Every metric, in byte order; their names are the user-facing `distance`
// values (the binding exports them, src/names.ts types them).
constexpr Metric kMetrics[] = {Metric::Euclidean, Metric::Manhattan, Metric::Cosine, Metric::DotProduct};

const char* metric_name(Metric metric);                   // "euclidean", "manhattan", "cosine", "dot"
bool parse_metric(const std::string& name, Metric* out);  // inverse of metric_name
bool is_valid_metric_byte(uint8_t value);

struct Kernels;

// The user-facing distance (see Metric) between a and b, given their L2 norms.
float metric_distance(const Kernels& k, Metric metric, const void* a, float a_norm, const void* b,
                      float b_norm, size_t n);

// L2 norm of n floats.
float l2_norm(const Kernels& k, const void* v, size_t n);

}  // namespace arroy
