#include "distance.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "distance_kernels.h"
#include "errors.h"

namespace arroy {

const char* metric_name(Metric metric) {
  switch (metric) {
    case Metric::Euclidean: return "euclidean";
    case Metric::Manhattan: return "manhattan";
    case Metric::Cosine: return "cosine";
    case Metric::DotProduct: return "dot";
  }
  return "unknown";
}

bool parse_metric(const std::string& name, Metric* out) {
  static constexpr Metric kAll[] = {Metric::Euclidean, Metric::Manhattan, Metric::Cosine,
                                    Metric::DotProduct};
  for (Metric metric : kAll) {
    if (name == metric_name(metric)) {
      *out = metric;
      return true;
    }
  }
  return false;
}

bool is_valid_metric_byte(uint8_t value) {
  return value <= static_cast<uint8_t>(Metric::DotProduct);
}

#if !(defined(__x86_64__) || defined(_M_X64)) && !defined(__aarch64__)
// No SIMD kernels for this architecture: scalar only.
void detail::append_simd_kernels(std::vector<const Kernels*>*) {}
#endif

std::vector<const Kernels*> supported_kernels() {
  std::vector<const Kernels*> out;
  out.push_back(&scalar_kernels());
  detail::append_simd_kernels(&out);
  return out;
}

const Kernels* detail::select_kernels(const std::vector<const Kernels*>& supported,
                                      const char* requested) {
  if (requested != nullptr && requested[0] != '\0') {
    for (const Kernels* k : supported) {
      if (std::strcmp(k->name, requested) == 0) return k;
    }
    // An unknown or unsupported name is ignored: fall through to the default.
  }
  return supported.back();
}

const Kernels& active_kernels() {
  // A function-local static is initialised exactly once, thread-safely.
  static const Kernels* const chosen =
      detail::select_kernels(supported_kernels(), std::getenv("ARROY_SIMD"));
  return *chosen;
}

float metric_distance(const Kernels& k, Metric metric, const void* a, float a_norm, const void* b,
                      float b_norm, size_t n) {
  switch (metric) {
    case Metric::Euclidean: {
      float squared = k.l2_squared(a, b, n);
      return std::sqrt(squared < 0.0f ? 0.0f : squared);
    }
    case Metric::Manhattan: {
      float sum = k.l1(a, b, n);
      return sum < 0.0f ? 0.0f : sum;
    }
    case Metric::Cosine: {
      if (a_norm == 0.0f || b_norm == 0.0f) return 1.0f;
      // Divide in double: the product of two float norms can overflow or
      // underflow a float long before the cosine itself is out of range.
      double cos = static_cast<double>(k.dot(a, b, n)) /
                   (static_cast<double>(a_norm) * static_cast<double>(b_norm));
      // Rounding can push |cos| a little past 1; NaN passes through.
      if (cos > 1.0) cos = 1.0;
      if (cos < -1.0) cos = -1.0;
      return static_cast<float>(1.0 - cos);
    }
    case Metric::DotProduct:
      return -k.dot(a, b, n);
  }
  fail(ErrorCode::InvalidArgument,
       "unknown distance metric " + std::to_string(static_cast<unsigned>(metric)));
}

float l2_norm(const Kernels& k, const void* v, size_t n) {
  float squared = k.dot(v, v, n);
  return std::sqrt(squared < 0.0f ? 0.0f : squared);
}

}  // namespace arroy
