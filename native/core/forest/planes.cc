#include "forest/planes.h"

#include <cmath>
#include <cstring>

#include "defaults.h"

namespace arroy {

float Geometry::extra_coordinate(const BuildItem& item) const {
  if (metric != Metric::DotProduct) return 0;
  float gap = max_norm * max_norm - item.norm * item.norm;
  return gap > 0 ? std::sqrt(gap) : 0;
}

float item_margin(const Geometry& g, const Plane& plane, const BuildItem& item) {
  return split_margin(g, plane.normal.data(), plane.offset, plane.extra, item);
}

float split_margin(const Geometry& g, const void* normal, float offset, float extra, const BuildItem& item) {
  float m = offset + g.kernels->dot(normal, item.values, g.dimensions);
  if (g.metric == Metric::DotProduct) m += extra * g.extra_coordinate(item);
  return m;
}

namespace {

// Two-means works in "build space": raw vectors for euclidean and manhattan,
// unit vectors for cosine, and lifted unit vectors (d+1 coordinates) for dot.
bool angular(Metric m) { return m == Metric::Cosine || m == Metric::DotProduct; }

size_t build_space_size(const Geometry& g) { return g.dimensions + (g.metric == Metric::DotProduct ? 1 : 0); }

// Writes the item's build-space coordinates into out; false if unusable
// (a zero vector has no direction).
bool to_build_space(const Geometry& g, const BuildItem& item, float* out) {
  std::memcpy(out, item.values, 4ull * g.dimensions);
  if (g.metric == Metric::Euclidean || g.metric == Metric::Manhattan) return true;
  if (g.metric == Metric::Cosine) {
    if (!(item.norm > 0)) return false;
    for (uint32_t i = 0; i < g.dimensions; i++) out[i] /= item.norm;
    return true;
  }
  if (!(g.max_norm > 0)) return false;
  out[g.dimensions] = g.extra_coordinate(item);
  for (size_t i = 0; i <= g.dimensions; i++) out[i] /= g.max_norm;
  return true;
}

float centroid_distance(const Geometry& g, const float* centroid, const float* x, size_t n) {
  switch (g.metric) {
    case Metric::Manhattan:
      return g.kernels->l1(centroid, x, n);
    case Metric::Euclidean:
      return g.kernels->l2_squared(centroid, x, n);
    default: {
      // Angular: compare directions only; centroids are means of unit vectors.
      float cn = std::sqrt(g.kernels->dot(centroid, centroid, n));
      if (!(cn > 0)) return 2;
      return 2 - 2 * g.kernels->dot(centroid, x, n) / cn;
    }
  }
}

}  // namespace

bool choose_plane(const Geometry& g, const std::vector<BuildItem>& items, const uint32_t* subset, size_t size,
                  Rng& rng, Plane* out) {
  if (size < 2) return false;
  const size_t n = build_space_size(g);
  std::vector<float> p(n), q(n), x(n);

  uint32_t i = rng.below(static_cast<uint32_t>(size));
  uint32_t j = rng.below(static_cast<uint32_t>(size - 1));
  if (j >= i) j++;
  if (!to_build_space(g, items[subset[i]], p.data()) || !to_build_space(g, items[subset[j]], q.data())) return false;

  float pc = 1, qc = 1;
  for (int step = 0; step < kTwoMeansIterations; step++) {
    const BuildItem& item = items[subset[rng.below(static_cast<uint32_t>(size))]];
    if (!to_build_space(g, item, x.data())) continue;
    // Weighting by cluster size pulls the two means towards balanced halves.
    float dp = pc * centroid_distance(g, p.data(), x.data(), n);
    float dq = qc * centroid_distance(g, q.data(), x.data(), n);
    float* c = nullptr;
    float* count = nullptr;
    if (dp < dq) {
      c = p.data();
      count = &pc;
    } else if (dq < dp) {
      c = q.data();
      count = &qc;
    } else {
      continue;
    }
    for (size_t d = 0; d < n; d++) c[d] = (c[d] * *count + x[d]) / (*count + 1);
    *count += 1;
  }

  out->normal.assign(g.dimensions, 0);
  double length_sq = 0;
  for (size_t d = 0; d < n; d++) {
    float diff = p[d] - q[d];
    length_sq += double(diff) * diff;
    x[d] = diff;
  }
  if (!(length_sq > 0) || !std::isfinite(length_sq)) return false;
  float inv = static_cast<float>(1.0 / std::sqrt(length_sq));
  for (uint32_t d = 0; d < g.dimensions; d++) out->normal[d] = x[d] * inv;
  out->extra = g.metric == Metric::DotProduct ? x[g.dimensions] * inv : 0;
  out->offset = 0;
  if (!angular(g.metric)) {
    // The plane halfway between the two means.
    double along = 0;
    for (uint32_t d = 0; d < g.dimensions; d++) along += double(out->normal[d]) * (p[d] + q[d]) * 0.5;
    out->offset = static_cast<float>(-along);
  }
  return std::isfinite(out->offset);
}

}  // namespace arroy
