#include "distance/metric.h"

#include <cmath>
#include <cstring>

#include "distance/kernels.h"
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
  for (Metric metric : kMetrics) {
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
