#include "defaults.h"

#include <algorithm>

namespace arroy {

// Measured with bench/tune.mjs on GloVe 200k x 100 (cosine) and
// Fashion-MNIST 60k x 784 (euclidean), recall@10 against exact ground truth,
// one query thread (bench/RESULTS.md has the sweep). Buckets of 64 gave the
// best queries per second at recall 0.9 on both sets: 32 scored fewer
// candidates but read many more nodes; 128 and 256 needed a larger searchK
// for the same recall.
uint32_t default_bucket_capacity(uint32_t dimensions) {
  (void)dimensions;
  return 64;
}

// On GloVe 200k, 20 trees beat 10 (recall 0.90 at ~820 vs ~700 QPS) and 40
// added size without speed. Smaller indexes need fewer trees for the same
// recall, so the count shrinks with n (60k items: 12 trees), and never drops
// below 4 so that small indexes still tolerate an unlucky plane.
uint32_t default_tree_count(uint64_t items, uint32_t dimensions) {
  (void)dimensions;
  if (items == 0) return 0;
  uint64_t scaled = (20 * items + 99999) / 100000;
  return static_cast<uint32_t>(std::clamp<uint64_t>(scaled, 4, 20));
}

// 25 candidates per result per tree: recall@10 about 0.87 on GloVe (a hard
// set) and above 0.99 on Fashion-MNIST with the default trees.
uint64_t default_search_k(uint32_t k, uint32_t trees) {
  return std::max<uint64_t>(100, uint64_t(k) * std::max<uint32_t>(trees, 1) * 25);
}

}  // namespace arroy
