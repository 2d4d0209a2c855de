#include "defaults.h"

#include <algorithm>

namespace arroy {

// Measured with `npm run bench -- --params` on GloVe 200k x 100 (cosine) and
// Fashion-MNIST 60k x 784 (euclidean), recall@10 against exact ground truth,
// one query thread (bench/PARAMS.md has the sweep). At recall 0.90, buckets
// of 64 were fastest on Fashion-MNIST (5,623 QPS with 10 trees, against
// 4,804 for 128 and 4,991 for 32) and tied with 128 on GloVe (1,101 QPS with
// 20 trees), where 128 makes a 15% smaller file; 32 was slower on both.
uint32_t default_bucket_capacity(uint32_t dimensions) {
  (void)dimensions;
  return 64;
}

// On GloVe 200k, 20 trees beat 10 at recall 0.90 (1,101 against 807 QPS)
// and 40 added 6% speed for 42% more file. On Fashion-MNIST 60k, 10 trees
// beat 20 (5,623 against 5,163 QPS): smaller indexes need fewer trees, so
// the count shrinks with n (60k items: 12 trees) and never drops below 4, so
// that small indexes still tolerate an unlucky plane.
uint32_t default_tree_count(uint64_t items, uint32_t dimensions) {
  (void)dimensions;
  if (items == 0) return 0;
  uint64_t scaled = (20 * items + 99999) / 100000;
  return static_cast<uint32_t>(std::clamp<uint64_t>(scaled, 4, 20));
}

// 25 candidates per result per tree: with the default trees, recall@10
// about 0.86 on GloVe (a hard set) and above 0.99 on Fashion-MNIST
// (bench/RESULTS.md sweeps).
uint64_t default_search_k(uint32_t k, uint32_t trees) {
  return std::max<uint64_t>(100, uint64_t(k) * std::max<uint32_t>(trees, 1) * 25);
}

// dimensions / 4, within [16, 32]: 25 for GloVe's 100, 32 for 784-d images,
// 16 for anything under 64 dimensions.
uint32_t default_graph_degree(uint32_t dimensions) { return std::clamp<uint32_t>(dimensions / 4, 16, 32); }

}  // namespace arroy
