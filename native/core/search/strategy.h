// How a query finds its candidates, and the cost model that picks a way when
// a filter leaves only part of the index allowed.
#pragma once

#include <cstdint>

namespace arroy {

enum class SearchStrategy : int {
  Auto = 0,    // filtered: whichever the cost model expects to be cheaper; else Forest
  Forest = 1,  // best-first through the trees (skipping slots the filter excludes)
  Exact = 2,   // score every allowed item (needs a filter: without one, every item)
  Graph = 3,   // best-first through the neighbour graph from the forest's leaves (indexes built with a graph)
};

// Every strategy a caller may ask for, in order; the binding takes and reports
// them by name and src/names.ts types them.
constexpr SearchStrategy kSearchStrategies[] = {SearchStrategy::Auto, SearchStrategy::Forest, SearchStrategy::Exact,
                                                SearchStrategy::Graph};
const char* strategy_name(SearchStrategy strategy);            // "auto", "forest", "exact", "graph"
bool parse_strategy(const char* name, SearchStrategy* out);    // inverse of strategy_name

// The strategy Auto picks for `allowed` items of `items`, wanting `search_k`
// candidates.
SearchStrategy choose_strategy(uint64_t allowed, uint64_t items, uint64_t search_k);

}  // namespace arroy
