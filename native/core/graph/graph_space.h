// The geometry a neighbour graph is built in: distances between stored items.
//
// The graph links items to their near neighbours, so its distance must be a
// metric-like quantity between two items. For euclidean, manhattan and cosine
// that is the user-facing distance itself. The dot "distance" (-a.b) is not:
// an item is not its own nearest neighbour. Items are therefore compared in
// the lifted space of the maximum-inner-product reduction, where each item x
// gains the coordinate sqrt(M^2 - |x|^2) (M: the largest norm), so that
//   |x' - y'|^2 = |x|^2 + |y|^2 - 2 x.y + (ex - ey)^2
// and a query q (lifted by 0) ranks items by |q' - x'|^2 = |q|^2 + M^2 - 2 q.x,
// i.e. exactly by its dot distance. Queries then use the metric's own distance.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "distance/kernels.h"
#include "distance/metric.h"

namespace arroy {

struct GraphItem {
  const void* values = nullptr;  // dimensions floats, possibly unaligned; null: not a live item
  float norm = 0;
};

class GraphSpace {
 public:
  GraphSpace(const Kernels& kernels, Metric metric, uint32_t dimensions, float max_norm)
      : kernels_(&kernels), metric_(metric), dimensions_(dimensions), max_norm_(max_norm) {}

  // Distance between two stored items, as the graph ranks them.
  float between(const GraphItem& a, const GraphItem& b) const {
    if (unit_rows_) {
      // Both unit length (over_unit_rows): metric_distance's cosine with norms 1.
      const float cos = kernels_->dot(a.values, b.values, dimensions_);
      return 1.0f - std::min(1.0f, std::max(-1.0f, cos));
    }
    if (metric_ == Metric::Euclidean) return std::sqrt(std::max(0.0f, kernels_->l2_squared(a.values, b.values, dimensions_)));
    if (metric_ != Metric::DotProduct) {
      return metric_distance(*kernels_, metric_, a.values, a.norm, b.values, b.norm, dimensions_);
    }
    const float dot = kernels_->dot(a.values, b.values, dimensions_);
    const float ea = lift(a.norm), eb = lift(b.norm);
    const float squared = a.norm * a.norm + b.norm * b.norm - 2 * dot + (ea - eb) * (ea - eb);
    return std::sqrt(std::max(0.0f, squared));
  }

  uint32_t dimensions() const { return dimensions_; }
  Metric metric() const { return metric_; }

  // The same space over items whose cosine vectors are scaled to unit length
  // (vector_copy.h), where the cosine distance needs no norms.
  GraphSpace over_unit_rows() const {
    GraphSpace space = *this;
    space.unit_rows_ = metric_ == Metric::Cosine;
    return space;
  }

 private:
  float lift(float norm) const { return std::sqrt(std::max(0.0f, max_norm_ * max_norm_ - norm * norm)); }

  const Kernels* kernels_;
  Metric metric_;
  uint32_t dimensions_;
  float max_norm_;
  bool unit_rows_ = false;
};

}  // namespace arroy
