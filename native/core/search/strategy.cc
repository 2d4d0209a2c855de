#include "search/strategy.h"

#include <cstring>

#include "defaults.h"

namespace arroy {

const char* strategy_name(SearchStrategy strategy) {
  switch (strategy) {
    case SearchStrategy::Auto: return "auto";
    case SearchStrategy::Forest: return "forest";
    case SearchStrategy::Exact: return "exact";
    case SearchStrategy::Graph: return "graph";
  }
  return "unknown";
}

bool parse_strategy(const char* name, SearchStrategy* out) {
  for (SearchStrategy strategy : kSearchStrategies) {
    if (std::strcmp(name, strategy_name(strategy)) == 0) {
      *out = strategy;
      return true;
    }
  }
  return false;
}

SearchStrategy choose_strategy(uint64_t allowed, uint64_t items, uint64_t search_k) {
  // The forest scores search_k allowed candidates, and to find them walks
  // about search_k * items / allowed bucket entries, each a bitmap test plus
  // its share of the node reads, priced at kFilteredEntryCost distances. The
  // exact scan scores every allowed item.
  if (allowed <= search_k) return SearchStrategy::Exact;
  const double forest = double(search_k) * (1.0 + kFilteredEntryCost * double(items) / double(allowed));
  return double(allowed) <= forest ? SearchStrategy::Exact : SearchStrategy::Forest;
}

}  // namespace arroy
