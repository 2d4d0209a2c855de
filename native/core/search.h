// Query-time traversal: best-first over every tree at once, then an exact
// re-rank of the unique candidates. Reads straight from LMDB's memory map
// through a SnapshotView; nothing stored is copied.
#pragma once

#include <cstdint>
#include <vector>

#include "distance.h"
#include "filter.h"
#include "snapshot.h"

namespace arroy {

struct Hit {
  uint32_t id;
  float distance;
};

// How a query finds its candidates.
enum class SearchStrategy : int {
  Auto = 0,    // filtered: whichever the cost model expects to be cheaper; else Forest
  Forest = 1,  // best-first through the trees (skipping slots the filter excludes)
  Exact = 2,   // score every allowed item (needs a filter: without one, every item)
};

struct SearchRequest {
  const void* query;  // dimensions floats (may point into the map, e.g. searchById)
  float query_norm;
  uint32_t k;
  uint64_t search_k;  // unique (allowed) candidates to score; 0 = default_search_k
  const SlotFilter* filter = nullptr;  // null: every item is allowed
  SearchStrategy strategy = SearchStrategy::Auto;
};

// What a search did, for callers that want to see the cost model at work.
struct SearchStats {
  SearchStrategy strategy = SearchStrategy::Forest;  // the one that ran (never Auto)
  uint64_t scored = 0;                               // exact distances computed
};

// Results sorted by distance, then id. At most k; fewer when the index (or
// the allowed set) is small.
std::vector<Hit> search_forest(SnapshotView& view, const Kernels& kernels, const SearchRequest& request,
                               SearchStats* stats = nullptr);

// The strategy Auto picks for `allowed` items of `items`, wanting `search_k`
// candidates.
SearchStrategy choose_strategy(uint64_t allowed, uint64_t items, uint64_t search_k);

}  // namespace arroy
