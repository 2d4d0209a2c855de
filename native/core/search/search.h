// Query-time traversal: best-first over every tree at once, then an exact
// re-rank of the unique candidates. Reads straight from LMDB's memory map
// through a ReadView; nothing stored is copied.
#pragma once

#include <cstdint>
#include <vector>

#include "distance/kernels.h"
#include "items/read_view.h"
#include "search/filter.h"
#include "search/query.h"
#include "search/where.h"
#include "search/strategy.h"

namespace arroy {

struct Hit {
  uint32_t id;
  float distance;
};

// What a search did, for callers that want to see the cost model at work.
struct SearchStats {
  SearchStrategy strategy = SearchStrategy::Forest;  // the one that ran (never Auto)
  uint64_t scored = 0;                               // exact distances computed
  uint32_t ef = 0;                                   // the graph search's ef (0 if no graph search ran)
};

// What a caller asks of a search, besides the query vector.
struct SearchRequest {
  uint32_t k = 10;
  uint64_t search_k = 0;               // forest: unique (allowed) candidates to score; 0 = default_search_k
  double recall = 0;                   // graph: the recall@10 to reach; 0 = kDefaultRecall (1: exact)
  uint32_t ef = 0;                     // graph: results the search keeps; 0 = chosen from recall
  AllowedSet* filter = nullptr;        // null: every item is allowed
  AttributeFilter* where = nullptr;    // null: no attribute predicate (with filter: both must allow)
  SearchStrategy strategy = SearchStrategy::Auto;
  SearchStats* stats = nullptr;        // where to report what the search did, if anywhere
};

// Results sorted by distance, then id. At most k; fewer when the index (or
// the allowed set) is small.
std::vector<Hit> search_index(ReadView& view, const Kernels& kernels, const QueryVector& query,
                              const SearchRequest& request);

}  // namespace arroy
