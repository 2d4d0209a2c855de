// Tunable defaults of the engine, each with the reason for its value. The
// TypeScript layer reads these through the binding, so they live only here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arroy {

// Virtual size reserved for the memory map. LMDB maps the whole size up front
// but the file only grows as pages are written, so a generous reservation
// costs address space, not disk or memory.
constexpr uint64_t kDefaultMapSize = 64ull << 30;

// Smallest map an open accepts (mapSize), and the most a full map grows to by
// doubling. The map grows when a build finds it full, and follows when
// another process has grown the file.
constexpr uint64_t kMinMapSize = 1ull << 20;
constexpr uint64_t kMaxMapSize = 1ull << 44;

// Distinct `where` predicates an open index keeps resolved (search/where.h,
// WhereCache): a server answers the same few predicates over and over, and
// resolving one costs a scan of its postings per call (about 0.3 µs per
// matching item, bench/attributes.mjs), so each keeps its slot set until the
// next commit. Past this many, the cache starts over.
constexpr size_t kWhereCacheEntries = 64;

// Reader slots in the lock file (64 bytes each): enough for a server with many
// worker threads and processes, each holding at most one read snapshot at a time.
constexpr unsigned kMaxReaders = 1022;

// Two-means: how many random samples refine the two centroids of a split, and
// how many planes are tried before a split that leaves more than
// kAcceptImbalance of the items on one side is kept anyway. A split still more
// lopsided than kRandomSplitImbalance becomes a random split. Values as in Annoy,
// whose recall these reproduce.
constexpr int kTwoMeansIterations = 200;
constexpr int kSplitAttempts = 3;
constexpr double kAcceptImbalance = 0.95;
constexpr double kRandomSplitImbalance = 0.99;

// Default items per leaf bucket. Small buckets mean deeper trees and more
// node reads per query; big ones mean more exact distances per bucket.
// Chosen by `npm run bench -- --params` on GloVe and Fashion-MNIST (bench/PARAMS.md).
uint32_t default_bucket_capacity(uint32_t dimensions);

// Default tree count for n items of the given dimensions, chosen from the
// same sweep: enough trees that recall@10 reaches 0.9 at a modest searchK.
uint32_t default_tree_count(uint64_t items, uint32_t dimensions);

// Filtered search: what the forest pays per item it walks past on the way to
// its searchK allowed candidates (the bitmap test, duplicates across trees,
// node reads and queue work), in exact distances. Sets the point where
// scanning the allowed items beats the trees (search.cc, choose_strategy).
// Measured on GloVe 200k (bench/filtered.mjs): an exact scan costs ~26 ns an
// item; the forest at searchK 5000 took 2.5 ms with 10% allowed and 10 ms
// with 3%, i.e. 1.8 and 2.3 distances per item walked. With 2, a 200k-item
// index at k = 10 and 20 trees scans up to ~47k allowed items exactly.
constexpr double kFilteredEntryCost = 2.0;

// Default searchK (unique candidates scored exactly) for k results over the
// given number of trees.
uint64_t default_search_k(uint32_t k, uint32_t trees);

// ---------------------------------------------------------------- neighbour graph
// (native/core/graph/; docs/PERFORMANCE.md has the measurements)

// Edges per item. More edges find the true neighbours in fewer hops but cost
// more distances per hop and 4 bytes each on disk; the dimension is the data's
// own hint of how many directions an item's neighbourhood spreads into, so
// the degree follows it within the range the HNSW literature finds useful
// (hnswlib's layer 0 uses 2 x M = 32 at its default M = 16).
uint32_t default_graph_degree(uint32_t dimensions);

// Results kept by the search that finds a new item's neighbours at build time
// (HNSW's efConstruction). Recall at query time grows with it up to about
// 100-200 and build time linearly.
constexpr uint32_t kGraphBuildEf = 100;

// Items linked per parallel batch, as a fraction of the items already linked
// (graph_builder.h): small enough that an item rarely misses an edge to
// another item of its own batch, large enough that both cores stay busy
// after the first few thousand items.
constexpr double kGraphBatchFraction = 0.02;

// Trees kept beside a graph. They only find the region where a graph search
// starts (and serve searchK and filtered searches), so two suffice: a second
// tree rescues a query that the first tree's plane split from its neighbours.
constexpr uint32_t kGraphTreeCount = 2;

// The recall@10 a search reaches when the caller names neither recall, ef
// nor searchK. The build measures which ef reaches which recall on a sample
// of the index's own items (graph/calibration.h).
constexpr double kDefaultRecall = 0.95;

// A search asked for recall r aims at 1 - kRecallMissShare * (1 - r): a
// quarter fewer misses than it may make. The curve is measured on 200 items
// held out of the graph; a user's queries are rarely drawn quite like them
// (GloVe's 1,000 test words against an index of its 20,000 most frequent
// words reach 0.949 when aiming at exactly 0.95), and on GloVe 200k the
// curve's interpolation near 0.90 came out 0.02 short of what the queries
// got. The margin costs a few percent of speed at a given recall.
constexpr double kRecallMissShare = 0.75;

// Calibration: items sampled as queries (each a held-out query: the search
// never reaches the item itself), and the neighbours counted per query.
// 200 x 10 answers put the standard error of a measured recall of 0.95 at
// 0.005.
constexpr uint32_t kCalibrationSamples = 200;
constexpr uint32_t kCalibrationK = 10;

// The curve is measured again once changes since the last measurement
// exceed this fraction of the items.
constexpr double kRecalibrateFraction = 0.10;

// Default seed of a build when the caller gives none.
constexpr uint64_t kDefaultSeed = 0x5eed0f0a770ull;

}  // namespace arroy
