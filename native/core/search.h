// Query-time traversal: best-first over every tree at once, then an exact
// re-rank of the unique candidates. Reads straight from LMDB's memory map
// through a SnapshotView; nothing stored is copied.
#pragma once

#include <cstdint>
#include <vector>

#include "distance.h"
#include "snapshot.h"

namespace arroy {

struct Hit {
  uint32_t id;
  float distance;
};

struct SearchRequest {
  const void* query;  // dimensions floats (may point into the map, e.g. searchById)
  float query_norm;
  uint32_t k;
  uint64_t search_k;  // unique candidates to score; 0 = default_search_k
};

// Results sorted by distance, then id. At most k; fewer when the index is small.
std::vector<Hit> search_forest(SnapshotView& view, const Kernels& kernels, const SearchRequest& request);

}  // namespace arroy
