#include "defaults.h"

#include <algorithm>

namespace arroy {

uint32_t default_bucket_capacity(uint32_t dimensions) {
  (void)dimensions;
  return 64;
}

uint32_t default_tree_count(uint64_t items, uint32_t dimensions) {
  (void)dimensions;
  if (items == 0) return 0;
  return 16;
}

uint64_t default_search_k(uint32_t k, uint32_t trees) {
  return std::max<uint64_t>(100, uint64_t(k) * std::max<uint32_t>(trees, 1) * 10);
}

}  // namespace arroy
