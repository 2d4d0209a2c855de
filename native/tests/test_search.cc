// Search end to end (index.h), against a brute-force reference computed in
// double: for each metric, an index created, built, changed in batches large
// and small, rebuilt, reopened (read-write and read-only) and refused with
// another shape, each search checked exact (search_k covering every item) and
// the file checked after every build; and data that admits no splitting plane.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "defaults.h"
#include "harness.h"
#include "index.h"
#include "index_fixtures.h"

using namespace arroy_test;

namespace {

constexpr uint32_t kDims = 21;  // not a multiple of any SIMD width
constexpr uint32_t kItems = 2000;

void end_to_end(Metric metric) {
  TempDir dir;
  const std::string path = dir.file("index.arroy");
  std::mt19937_64 rng(1000 + static_cast<int>(metric));
  Vectors items = random_items(rng, kItems, kDims);
  std::vector<std::vector<float>> queries;
  for (int q = 0; q < 12; q++) queries.push_back(normal_vector(rng, kDims));
  auto check_searches = [&](Index& index) {
    for (size_t q = 0; q < queries.size(); q++) {
      CONTEXT("query " << q);
      check_exact_search(index, metric, items, queries[q], 10);
    }
    // Stored vectors as queries, and k larger than the index for a small one.
    int n = 0;
    for (const auto& item : items) {
      if (n++ % 400) continue;
      CONTEXT("query = item " << item.first);
      check_exact_search(index, metric, items, item.second, 10);
      if (metric == Metric::Euclidean || metric == Metric::Manhattan) {
        std::optional<std::vector<Hit>> by_id = index.search_by_id(item.first, {1, items.size()});
        if (CHECK(by_id.has_value()) && CHECK_EQ(by_id->size(), 1u)) {
          CHECK_EQ((*by_id)[0].id, item.first);
          CHECK_EQ((*by_id)[0].distance, 0.0f);
        }
      }
    }
  };

  std::vector<std::vector<Hit>> before_close;
  {
    std::unique_ptr<Index> index = Index::open(path, create_options(kDims, metric));
    CHECK_EQ(index->dimensions(), kDims);
    CHECK(index->metric() == metric);
    CHECK_EQ(index->size(), 0u);
    CHECK_EQ(index->tree_count(), 0u);
    CHECK(index->search(queries[0].data(), queries[0].size(), {10, 0}).empty());
    add_all(*index, items);
    CHECK_EQ(index->pending_count(), items.size());
    CHECK_EQ(index->size(), 0u);  // nothing is visible before a build
    std::vector<float> out;
    CHECK(!index->get(0, &out));

    BuildReport report = build(*index);
    CHECK(!report.incremental);  // a first build grows its trees
    CHECK_EQ(report.items, kItems);
    CHECK(report.graph);  // a new index gets a neighbour graph, and the trees that seed it
    CHECK_EQ(report.trees, arroy::kGraphTreeCount);
    CHECK_EQ(index->pending_count(), 0u);
    CHECK_EQ(index->size(), kItems);
    CHECK_EQ(index->tree_count(), report.trees);
    FileSummary summary = check_file(path, "vectors");
    CHECK_EQ(summary.items, kItems);
    CHECK_EQ(summary.trees, report.trees);
    CHECK_EQ(uint64_t(summary.nodes), report.nodes);
    check_gets(*index, items, {1234567u});
    check_searches(*index);

    // Deletes, overwrites and new ids in one batch, then a rebuild.
    std::vector<uint32_t> ids;
    for (const auto& item : items) ids.push_back(item.first);
    std::shuffle(ids.begin(), ids.end(), rng);
    std::set<uint32_t> removed;
    removed.insert(0);
    for (size_t i = 0; i < 300; i++) removed.insert(ids[i]);
    std::set<uint32_t> overwritten{0xFFFFFFFFu};
    for (size_t i = 300; i < 600; i++) {
      if (!removed.count(ids[i])) overwritten.insert(ids[i]);
    }
    overwritten.erase(0);
    for (uint32_t id : removed) {
      index->remove(id);
      items.erase(id);
    }
    index->remove(7);  // never stored (unless random ids hit it): a no-op either way
    items.erase(7);
    removed.insert(7);
    for (uint32_t id : overwritten) {
      items[id] = normal_vector(rng, kDims);
      index->add(id, items[id].data(), kDims);
    }
    std::vector<uint32_t> added;
    while (added.size() < 100) {
      uint32_t id = static_cast<uint32_t>(rng());
      if (items.count(id) || removed.count(id)) continue;
      items[id] = normal_vector(rng, kDims);
      index->add(id, items[id].data(), kDims);
      added.push_back(id);
    }
    // Added then removed in the same batch: the removal wins.
    index->add(added[0], items[added[0]].data(), kDims);
    index->remove(added[0]);
    items.erase(added[0]);
    removed.insert(added[0]);

    // Before the build, readers still see the old state.
    CHECK_EQ(index->size(), kItems);
    report = build(*index);
    CHECK(report.incremental);  // the stored forest is updated in place
    CHECK_EQ(report.items, items.size());
    CHECK_EQ(index->size(), items.size());
    summary = check_file(path, "vectors");
    CHECK_EQ(summary.items, items.size());
    index->inspect(true);
    check_gets(*index, items, removed);
    check_searches(*index);

    // Small batches, each routed through the stored trees.
    for (int round = 0; round < 4; round++) {
      CONTEXT("small batch " << round);
      std::vector<uint32_t> present;
      for (const auto& item : items) present.push_back(item.first);
      for (int i = 0; i < 30; i++) {
        uint32_t id = present[rng() % present.size()];
        if (!items.count(id)) continue;
        if (i % 3 == 0) {
          index->remove(id);
          items.erase(id);
          removed.insert(id);
        } else {
          items[id] = normal_vector(rng, kDims);
          index->add(id, items[id].data(), kDims);
        }
      }
      for (int i = 0; i < 20; i++) {
        uint32_t id = static_cast<uint32_t>(rng());
        if (items.count(id)) continue;
        removed.erase(id);
        items[id] = normal_vector(rng, kDims);
        index->add(id, items[id].data(), kDims);
      }
      report = build(*index);
      CHECK(report.incremental);
      CHECK_EQ(index->size(), items.size());
      check_file(path, "vectors");
      index->inspect(true);  // the engine's own checker agrees
      check_gets(*index, items, removed);
      for (size_t q = 0; q < 3; q++) check_exact_search(*index, metric, items, queries[q], 10);
    }

    // A rebuild on request grows every tree afresh.
    BuildOptions full;
    full.rebuild = true;
    report = build(*index, full);
    CHECK(!report.incremental);
    summary = check_file(path, "vectors");
    CHECK_EQ(uint64_t(summary.nodes), summary.stored_nodes);  // a fresh forest is dense
    check_searches(*index);

    // Rebuild without changes, with other shapes: deep trees of small buckets.
    BuildOptions deep;
    deep.trees = 9;
    deep.bucket_capacity = 3;
    deep.seed = 99;
    deep.has_seed = true;
    report = build(*index, deep);
    CHECK_EQ(report.trees, 9u);
    CHECK_EQ(index->tree_count(), 9u);
    summary = check_file(path, "vectors");
    CHECK_EQ(summary.trees, 9u);
    CHECK(summary.buckets >= 9 * items.size() / 3);
    check_searches(*index);
    for (const auto& q : queries) before_close.push_back(index->search(q.data(), q.size(), {10, 0}));
  }

  // Reopening (taking dimensions and metric from the file, then read-only)
  // gives the same answers, bit for bit.
  for (bool read_only : {false, true}) {
    CONTEXT("reopened read_only=" << read_only);
    std::unique_ptr<Index> index = Index::open(path, existing("vectors", read_only));
    CHECK_EQ(index->dimensions(), kDims);
    CHECK(index->metric() == metric);
    CHECK_EQ(index->size(), items.size());
    CHECK_EQ(index->tree_count(), 9u);
    for (size_t q = 0; q < queries.size(); q++) {
      std::vector<Hit> hits = index->search(queries[q].data(), queries[q].size(), {10, 0});
      bool same = hits.size() == before_close[q].size();
      for (size_t i = 0; same && i < hits.size(); i++) {
        same = hits[i].id == before_close[q][i].id && hits[i].distance == before_close[q][i].distance;
      }
      CHECK(same);
    }
    check_gets(*index, items, {});
    check_file(path, "vectors", read_only);
    if (read_only) {
      CHECK_THROWS_CODE(index->add(1, queries[0].data(), kDims), ErrorCode::InvalidArgument);
      CHECK_THROWS_CODE(index->remove(1), ErrorCode::InvalidArgument);
      CHECK_THROWS_CODE(index->start_build({}), ErrorCode::InvalidArgument);
    }
  }

  // Other dimensions or another metric refuse to open the existing index.
  CHECK_THROWS_CODE(Index::open(path, create_options(kDims + 1, metric)), ErrorCode::DimensionMismatch);
  for (Metric other : arroy::kMetrics) {
    if (other == metric) continue;
    CONTEXT("other metric " << arroy::metric_name(other));
    CHECK_THROWS_CODE(Index::open(path, create_options(kDims, other)), ErrorCode::DistanceMismatch);
    OpenOptions ro = create_options(kDims, other);
    ro.read_only = true;
    CHECK_THROWS_CODE(Index::open(path, ro), ErrorCode::DistanceMismatch);
  }
  CHECK_THROWS_CODE(Index::open(path, existing("no-such-index", true)), ErrorCode::NotAnIndex);
  CHECK_THROWS_CODE(Index::open(path, existing("no-such-index", false)), ErrorCode::InvalidArgument);
}

}  // namespace

TEST(end_to_end_euclidean) { end_to_end(Metric::Euclidean); }
TEST(end_to_end_manhattan) { end_to_end(Metric::Manhattan); }
TEST(end_to_end_cosine) { end_to_end(Metric::Cosine); }
TEST(end_to_end_dot) { end_to_end(Metric::DotProduct); }

TEST(duplicates_and_degenerate_data) {
  // Identical vectors admit no splitting plane: trees must still shrink to
  // buckets (random splits) and searches must still be exact.
  TempDir dir;
  const std::string path = dir.file("index.arroy");
  for (Metric metric : arroy::kMetrics) {
    CONTEXT("metric " << arroy::metric_name(metric));
    const std::string name = arroy::metric_name(metric);
    std::unique_ptr<Index> index = Index::open(path, create_options(4, metric, name));
    Vectors items;
    std::vector<float> same{1, 2, 3, 4};
    for (uint32_t id = 0; id < 500; id++) items[id * 3] = same;
    std::vector<float> other{-1, 0.5f, 2, 0};
    for (uint32_t id = 0; id < 10; id++) items[100000 + id] = other;
    add_all(*index, items);
    BuildOptions small;
    small.bucket_capacity = 2;
    small.trees = 3;
    build(*index, small);
    check_file(path, name);
    check_exact_search(*index, metric, items, other, 10);
    check_exact_search(*index, metric, items, same, 10);
  }
}
