// Split hyperplanes: how a build chooses one (two-means over a sample of the
// node's items, as in Annoy) and which side of it an item or query lies on.
// The same margin routes items at build time and ranks branches at search time.
#pragma once

#include <cstdint>
#include <vector>

#include "distance/kernels.h"
#include "distance/metric.h"
#include "forest/rng.h"

namespace arroy {

// A view of one item as the build sees it.
struct BuildItem {
  uint32_t slot;  // what trees store: the item's slot, not its id (see format.h)
  const void* values;  // dimensions floats in LMDB's map, possibly unaligned
  float norm;
};

// Everything about the vector space a plane lives in.
struct Geometry {
  const Kernels* kernels;
  Metric metric;
  uint32_t dimensions;
  // Dot metric: items are lifted to d+1 dimensions with the extra coordinate
  // sqrt(max_norm^2 - |x|^2), so every lifted item has norm max_norm and the
  // largest inner product becomes the smallest angle (Bachrach et al. 2014).
  float max_norm = 0;

  float extra_coordinate(const BuildItem& item) const;
};

struct Plane {
  std::vector<float> normal;  // unit length together with `extra`
  float offset = 0;           // euclidean and manhattan: planes need not pass through 0
  float extra = 0;            // dot metric: the normal's component on the lifted coordinate
};

// Signed distance of an item to the plane; > 0 is the right side.
float item_margin(const Geometry& g, const Plane& plane, const BuildItem& item);
// The same for a stored split (normal: dimensions floats, possibly unaligned).
float split_margin(const Geometry& g, const void* normal, float offset, float extra, const BuildItem& item);

// Two-means over random items of subset (indices into items), as in Annoy:
// returns false when no usable plane exists (e.g. all sampled items coincide).
bool choose_plane(const Geometry& g, const std::vector<BuildItem>& items, const uint32_t* subset, size_t size,
                  Rng& rng, Plane* out);

}  // namespace arroy
