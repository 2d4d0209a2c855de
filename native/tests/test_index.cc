// The engine end to end (index.h): create, add, build, search, change,
// rebuild, reopen, against a brute-force reference computed in double, with
// an independent checker of everything a build leaves in the file.
//
// check_file() reads the committed file through its own read Transaction and
// SnapshotView and checks the format's invariants: every id record points at
// a live slot holding that id, every slot below slot_count is live or listed
// free, and every tree, walked from the metadata's roots, reaches each node
// once and holds each live slot in exactly one bucket (buckets ascending,
// within capacity, node ids below node_count).
#include <dirent.h>
#include <cerrno>
#include <csignal>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bytes.h"
#include "defaults.h"
#include "harness.h"
#include "temp_dir.h"
#include "index.h"
#include "records.h"
#include "snapshot.h"
#include "storage.h"

using arroy::BuildJob;
using arroy::BuildMonitor;
using arroy::BuildOptions;
using arroy::BuildReport;
using arroy::ErrorCode;
using arroy::Hit;
using arroy::Index;
using arroy::Metric;
using arroy::OpenOptions;
using Vectors = std::map<uint32_t, std::vector<float>>;

namespace {

// ---------------------------------------------------------------- scaffolding


const Metric kMetrics[] = {Metric::Euclidean, Metric::Manhattan, Metric::Cosine, Metric::DotProduct};

OpenOptions options(uint32_t dims, Metric metric, const std::string& name = "vectors") {
  OpenOptions o;
  o.name = name;
  o.dimensions = dims;
  o.metric = metric;
  return o;
}

OpenOptions existing(const std::string& name = "vectors", bool read_only = false) {
  OpenOptions o;
  o.name = name;
  o.read_only = read_only;
  return o;
}

std::vector<float> random_vector(std::mt19937_64& rng, uint32_t dims) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(dims);
  for (float& x : v) x = normal(rng);
  return v;
}

// Runs a build the way the binding does: hand the pending changes to a job,
// run it, and put them back if it fails.
BuildReport build(Index& index, BuildOptions opts = {}) {
  if (!opts.threads) opts.threads = 2;
  std::unique_ptr<BuildJob> job = index.start_build(opts);
  BuildMonitor monitor;
  try {
    return job->run(monitor);
  } catch (...) {
    index.restore_pending(*job);
    throw;
  }
}

void add_all(Index& index, const Vectors& items) {
  for (const auto& item : items) index.add(item.first, item.second.data(), item.second.size());
}

// ---------------------------------------------------------------- reference

double reference_distance(Metric metric, const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, aa = 0, bb = 0, l1 = 0, l2 = 0;
  for (size_t i = 0; i < a.size(); i++) {
    double x = a[i], y = b[i];
    dot += x * y;
    aa += x * x;
    bb += y * y;
    l1 += std::fabs(x - y);
    l2 += (x - y) * (x - y);
  }
  switch (metric) {
    case Metric::Euclidean: return std::sqrt(l2);
    case Metric::Manhattan: return l1;
    case Metric::Cosine: return 1 - dot / (std::sqrt(aa) * std::sqrt(bb));
    case Metric::DotProduct: return -dot;
  }
  return 0;
}

double tolerance(double d) { return 2e-4 * (1 + std::fabs(d)); }

// Checks that a search scoring every item returns exactly the brute-force
// top k: same distances rank by rank, and the same ids wherever the reference
// has no near-tie that float rounding could reorder.
void check_exact_search(Index& index, Metric metric, const Vectors& items, const std::vector<float>& query,
                        uint32_t k) {
  std::vector<Hit> hits = index.search(query.data(), k, items.size() + 1);
  std::vector<std::pair<double, uint32_t>> ref;
  ref.reserve(items.size());
  for (const auto& item : items) ref.push_back({reference_distance(metric, query, item.second), item.first});
  std::sort(ref.begin(), ref.end());
  const size_t expect = std::min<size_t>(k, ref.size());
  if (!CHECK_EQ(hits.size(), expect)) return;
  std::set<uint32_t> seen;
  for (size_t i = 0; i < expect; i++) {
    CONTEXT("rank " << i);
    CHECK(seen.insert(hits[i].id).second);
    auto item = items.find(hits[i].id);
    if (!CHECK(item != items.end())) continue;
    const double truth = reference_distance(metric, query, item->second);
    CHECK_NEAR(hits[i].distance, truth, tolerance(truth));
    CHECK_NEAR(hits[i].distance, ref[i].first, tolerance(ref[i].first));
    if (i > 0) CHECK(hits[i - 1].distance < hits[i].distance ||
                     (hits[i - 1].distance == hits[i].distance && hits[i - 1].id < hits[i].id));
    bool tie_before = i > 0 && ref[i].first - ref[i - 1].first <= tolerance(ref[i].first);
    bool tie_after = i + 1 < ref.size() && ref[i + 1].first - ref[i].first <= tolerance(ref[i].first);
    if (!tie_before && !tie_after) CHECK_EQ(hits[i].id, ref[i].second);
  }
}

// ---------------------------------------------------------------- file checker

struct FileSummary {
  uint32_t items = 0;
  uint32_t trees = 0;
  uint32_t nodes = 0;         // meta.node_count: a bound on node ids
  uint64_t stored_nodes = 0;  // records in the nodes database, every one reachable
  uint32_t buckets = 0;
};

// Reads the committed state of index `name` independently of any Index
// object and checks every invariant of the format (see the file comment).
FileSummary check_file(const std::string& path, const std::string& name, bool read_only = false) {
  FileSummary summary;
  std::shared_ptr<arroy::Environment> env = arroy::Environment::open(path, {read_only, 0});
  const MDB_dbi main = env->main_database();
  arroy::Transaction txn;
  txn.begin(*env, false);

  MDB_val value;
  if (!CHECK(txn.get(main, std::string(arroy::kCatalogKey), &value))) return summary;
  std::vector<arroy::CatalogEntry> catalog = arroy::decode_catalog(value.mv_data, value.mv_size);
  const arroy::CatalogEntry* entry = nullptr;
  std::set<arroy::IndexId> ids_in_catalog;
  for (const arroy::CatalogEntry& e : catalog) {
    CHECK(ids_in_catalog.insert(e.index).second);
    if (e.name == name) entry = &e;
  }
  if (!CHECK(entry != nullptr)) return summary;
  const arroy::IndexId id = entry->index;
  // LMDB: a transaction sees only the database handles opened before it began.
  txn.abort();
  arroy::IndexDatabases dbs{id, env->database({arroy::slabs_database(id)}), env->database({arroy::ids_database(id)}),
                            env->database({arroy::nodes_database(id)})};
  txn.begin(*env, false);
  arroy::SnapshotView view;
  view.attach(txn, main, dbs);
  const arroy::IndexMeta& meta = view.meta();
  summary.items = meta.item_count;
  summary.trees = static_cast<uint32_t>(meta.roots.size());
  summary.nodes = meta.node_count;

  // Slots: 1 = live (from an id record), 2 = listed free.
  std::vector<uint8_t> state(meta.slot_count, 0);
  uint32_t live = 0;
  {
    arroy::Cursor cursor(txn, dbs.ids);
    uint32_t item_id;
    for (bool ok = cursor.first(&item_id, &value); ok; ok = cursor.next(&item_id, &value)) {
      uint32_t slot = arroy::decode_u32(value.mv_data, value.mv_size, "id record");
      CONTEXT("item " << item_id << " slot " << slot);
      if (!CHECK(slot < meta.slot_count)) continue;
      CHECK_EQ(state[slot], 0);
      state[slot] = 1;
      arroy::SlotView s = view.live_slot(slot);
      CHECK_EQ(s.item_id, item_id);
      live++;
    }
  }
  CHECK_EQ(live, meta.item_count);
  CHECK_EQ(txn.entries(dbs.ids), uint64_t(meta.item_count));
  if (txn.get(main, arroy::free_slots_key(id), &value)) {
    std::vector<uint32_t> free = arroy::decode_u32_list(value.mv_data, value.mv_size, "free list");
    CHECK(!free.empty());  // absent when empty
    for (size_t i = 0; i < free.size(); i++) {
      CONTEXT("free slot " << free[i]);
      if (i > 0) CHECK(free[i - 1] < free[i]);
      if (!CHECK(free[i] < meta.slot_count)) continue;
      CHECK_EQ(state[free[i]], 0);
      state[free[i]] = 2;
    }
    // The high-water mark shrinks past free slots at the top.
    CHECK(free.back() + 1 < meta.slot_count);
  }
  for (uint32_t slot = 0; slot < meta.slot_count; slot++) {
    if (!CHECK(state[slot] != 0)) {
      std::printf("  slot %u is neither live nor free\n", slot);
      break;
    }
  }
  // Slabs: exactly those below the high-water mark, with live flags matching.
  {
    const uint32_t slabs = (meta.slot_count + meta.slots_per_slab - 1) / meta.slots_per_slab;
    CHECK_EQ(txn.entries(dbs.slabs), uint64_t(slabs));
    arroy::Cursor cursor(txn, dbs.slabs);
    uint32_t number, expected_number = 0;
    for (bool ok = cursor.first(&number, &value); ok; ok = cursor.next(&number, &value)) {
      CHECK_EQ(number, expected_number++);
      for (uint32_t position = 0; position < meta.slots_per_slab; position++) {
        uint64_t slot = uint64_t(number) * meta.slots_per_slab + position;
        arroy::SlotView s = arroy::read_slot(value.mv_data, value.mv_size, position, meta.dimensions,
                                             meta.slots_per_slab);
        if (slot < meta.slot_count) {
          CHECK_EQ(s.live, state[slot] == 1);
        } else {
          CHECK(!s.live);
        }
      }
    }
  }

  // The forest. Node ids need not be dense (builds that update trees in
  // place free some), but every stored node must be reachable.
  summary.stored_nodes = txn.entries(dbs.nodes);
  CHECK(summary.stored_nodes <= meta.node_count);
  std::vector<uint8_t> reached(meta.node_count, 0);
  std::vector<uint32_t> times(meta.slot_count, 0);
  uint32_t reached_count = 0;
  for (size_t tree = 0; tree < meta.roots.size(); tree++) {
    CONTEXT("tree " << tree);
    std::fill(times.begin(), times.end(), 0);
    std::vector<uint32_t> stack{meta.roots[tree]};
    while (!stack.empty()) {
      uint32_t node_id = stack.back();
      stack.pop_back();
      CONTEXT("node " << node_id);
      if (!CHECK(node_id < meta.node_count)) continue;
      if (!CHECK(!reached[node_id])) continue;  // reached twice: a cycle or a shared node
      reached[node_id] = 1;
      reached_count++;
      arroy::NodeView node = view.node(node_id);
      switch (node.tag) {
        case arroy::NodeTag::Bucket: {
          summary.buckets++;
          CHECK(node.count >= 1);
          CHECK(node.count <= meta.bucket_capacity);
          for (uint32_t i = 0; i < node.count; i++) {
            uint32_t slot = arroy::load_u32(node.ids, i);
            if (i > 0) CHECK(arroy::load_u32(node.ids, i - 1) < slot);
            if (!CHECK(slot < meta.slot_count)) continue;
            CHECK_EQ(state[slot], 1);
            times[slot]++;
          }
          break;
        }
        case arroy::NodeTag::Split: {
          CHECK(std::isfinite(node.offset) && std::isfinite(node.extra));
          double length = double(node.extra) * node.extra;
          for (uint32_t d = 0; d < meta.dimensions; d++) {
            float x;
            std::memcpy(&x, static_cast<const uint8_t*>(node.normal) + 4 * d, 4);
            length += double(x) * x;
          }
          CHECK_NEAR(length, 1.0, 1e-3);  // unit normal (with the dot metric's extra coordinate)
          if (meta.metric == Metric::Cosine || meta.metric == Metric::DotProduct) CHECK_EQ(node.offset, 0.0f);
          if (meta.metric != Metric::DotProduct) CHECK_EQ(node.extra, 0.0f);
          stack.push_back(node.left);
          stack.push_back(node.right);
          break;
        }
        case arroy::NodeTag::RandomSplit:
          stack.push_back(node.left);
          stack.push_back(node.right);
          break;
      }
    }
    uint32_t wrong = 0;
    for (uint32_t slot = 0; slot < meta.slot_count; slot++) {
      if (times[slot] != (state[slot] == 1 ? 1u : 0u)) wrong++;
    }
    CHECK_EQ(wrong, 0u);
  }
  CHECK_EQ(uint64_t(reached_count), summary.stored_nodes);  // no orphan nodes
  txn.abort();
  return summary;
}

// Every stored vector reads back bit for bit; every other id is absent.
void check_gets(Index& index, const Vectors& items, const std::set<uint32_t>& absent) {
  std::vector<float> out;
  uint32_t wrong = 0;
  for (const auto& item : items) {
    if (!index.get(item.first, &out) || out != item.second) wrong++;
  }
  CHECK_EQ(wrong, 0u);
  for (uint32_t id : absent) {
    CONTEXT("absent id " << id);
    CHECK(!index.get(id, &out));
    CHECK(!index.search_by_id(id, 5, 0).has_value());
  }
}

// ---------------------------------------------------------------- end to end

constexpr uint32_t kDims = 21;  // not a multiple of any SIMD width
constexpr uint32_t kItems = 2000;

Vectors random_items(std::mt19937_64& rng, uint32_t count, uint32_t dims) {
  Vectors items;
  items[0] = random_vector(rng, dims);
  items[0xFFFFFFFFu] = random_vector(rng, dims);
  while (items.size() < count) items[static_cast<uint32_t>(rng())] = random_vector(rng, dims);
  return items;
}

void end_to_end(Metric metric) {
  TempDir dir;
  const std::string path = dir.file("index.arroy");
  std::mt19937_64 rng(1000 + static_cast<int>(metric));
  Vectors items = random_items(rng, kItems, kDims);
  std::vector<std::vector<float>> queries;
  for (int q = 0; q < 12; q++) queries.push_back(random_vector(rng, kDims));
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
        std::optional<std::vector<Hit>> by_id = index.search_by_id(item.first, 1, items.size());
        if (CHECK(by_id.has_value()) && CHECK_EQ(by_id->size(), 1u)) {
          CHECK_EQ((*by_id)[0].id, item.first);
          CHECK_EQ((*by_id)[0].distance, 0.0f);
        }
      }
    }
  };

  std::vector<std::vector<Hit>> before_close;
  {
    std::unique_ptr<Index> index = Index::open(path, options(kDims, metric));
    CHECK_EQ(index->dimensions(), kDims);
    CHECK(index->metric() == metric);
    CHECK_EQ(index->size(), 0u);
    CHECK_EQ(index->tree_count(), 0u);
    CHECK(index->search(queries[0].data(), 10, 0).empty());
    add_all(*index, items);
    CHECK_EQ(index->pending_count(), items.size());
    CHECK_EQ(index->size(), 0u);  // nothing is visible before a build
    std::vector<float> out;
    CHECK(!index->get(0, &out));

    BuildReport report = build(*index);
    CHECK(!report.incremental);  // a first build grows its trees
    CHECK_EQ(report.items, kItems);
    CHECK_EQ(report.trees, arroy::default_tree_count(kItems, kDims));
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
      items[id] = random_vector(rng, kDims);
      index->add(id, items[id].data(), kDims);
    }
    std::vector<uint32_t> added;
    while (added.size() < 100) {
      uint32_t id = static_cast<uint32_t>(rng());
      if (items.count(id) || removed.count(id)) continue;
      items[id] = random_vector(rng, kDims);
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
          items[id] = random_vector(rng, kDims);
          index->add(id, items[id].data(), kDims);
        }
      }
      for (int i = 0; i < 20; i++) {
        uint32_t id = static_cast<uint32_t>(rng());
        if (items.count(id)) continue;
        removed.erase(id);
        items[id] = random_vector(rng, kDims);
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
    for (const auto& q : queries) before_close.push_back(index->search(q.data(), 10, 0));
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
      std::vector<Hit> hits = index->search(queries[q].data(), 10, 0);
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
  CHECK_THROWS_CODE(Index::open(path, options(kDims + 1, metric)), ErrorCode::DimensionMismatch);
  for (Metric other : kMetrics) {
    if (other == metric) continue;
    CONTEXT("other metric " << arroy::metric_name(other));
    CHECK_THROWS_CODE(Index::open(path, options(kDims, other)), ErrorCode::DistanceMismatch);
    OpenOptions ro = options(kDims, other);
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

TEST(delete_everything_then_refill) {
  TempDir dir;
  const std::string path = dir.file("index.arroy");
  std::mt19937_64 rng(5);
  Vectors items = random_items(rng, 300, 8);
  std::unique_ptr<Index> index = Index::open(path, options(8, Metric::Euclidean));
  add_all(*index, items);
  build(*index);
  check_file(path, "vectors");
  for (const auto& item : items) index->remove(item.first);
  BuildReport report = build(*index);
  CHECK_EQ(report.items, 0u);
  CHECK_EQ(report.trees, 0u);
  CHECK_EQ(index->size(), 0u);
  CHECK_EQ(index->tree_count(), 0u);
  FileSummary summary = check_file(path, "vectors");
  CHECK_EQ(summary.nodes, 0u);
  std::vector<float> q = random_vector(rng, 8);
  CHECK(index->search(q.data(), 10, 0).empty());
  // Freed slots are reused: the refilled index is as compact as the first.
  Vectors again = random_items(rng, 300, 8);
  add_all(*index, again);
  build(*index);
  check_file(path, "vectors");
  check_gets(*index, again, {});
  check_exact_search(*index, Metric::Euclidean, again, q, 10);
  // Fewer items than k, and a single bucket.
  Vectors few;
  for (uint32_t id : {3u, 1u, 2u}) few[id] = random_vector(rng, 8);
  for (const auto& item : again) index->remove(item.first);
  add_all(*index, few);
  report = build(*index);
  CHECK_EQ(report.trees, 1u);
  check_file(path, "vectors");
  check_exact_search(*index, Metric::Euclidean, few, q, 10);
}

TEST(duplicates_and_degenerate_data) {
  // Identical vectors admit no splitting plane: trees must still shrink to
  // buckets (random splits) and searches must still be exact.
  TempDir dir;
  const std::string path = dir.file("index.arroy");
  for (Metric metric : kMetrics) {
    CONTEXT("metric " << arroy::metric_name(metric));
    const std::string name = arroy::metric_name(metric);
    std::unique_ptr<Index> index = Index::open(path, options(4, metric, name));
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

TEST(builds_do_not_depend_on_thread_count) {
  TempDir dir;
  std::mt19937_64 rng(77);
  Vectors items = random_items(rng, 1500, 12);
  std::vector<std::map<uint32_t, std::vector<uint8_t>>> forests;
  for (unsigned threads : {1u, 2u, 3u}) {
    const std::string path = dir.file("t" + std::to_string(threads));
    {
      std::unique_ptr<Index> index = Index::open(path, options(12, Metric::Cosine));
      add_all(*index, items);
      BuildOptions o;
      o.threads = threads;
      o.trees = 6;
      build(*index, o);
    }
    auto env = arroy::Environment::open(path, {true, 0});
    MDB_dbi nodes = env->database({arroy::nodes_database(0)});  // before the transaction begins
    arroy::Transaction txn;
    txn.begin(*env, false);
    arroy::Cursor cursor(txn, nodes);
    std::map<uint32_t, std::vector<uint8_t>> forest;
    uint32_t key;
    MDB_val value;
    for (bool ok = cursor.first(&key, &value); ok; ok = cursor.next(&key, &value)) {
      const uint8_t* p = static_cast<const uint8_t*>(value.mv_data);
      forest[key].assign(p, p + value.mv_size);
    }
    forests.push_back(std::move(forest));
  }
  CHECK(!forests[0].empty());
  CHECK(forests[0] == forests[1]);
  CHECK(forests[0] == forests[2]);
}

TEST(several_indexes_in_one_file) {
  TempDir dir;
  const std::string path = dir.file("multi.arroy");
  std::mt19937_64 rng(3);
  Vectors a = random_items(rng, 200, 5), b = random_items(rng, 150, 9);
  {
    std::unique_ptr<Index> ia = Index::open(path, options(5, Metric::Euclidean, "a"));
    std::unique_ptr<Index> ib = Index::open(path, options(9, Metric::Cosine, "b"));
    add_all(*ia, a);
    add_all(*ib, b);
    build(*ia);
    CHECK_EQ(ib->size(), 0u);
    build(*ib);
    CHECK_EQ(ia->size(), 200u);
    CHECK_EQ(ib->size(), 150u);
  }
  check_file(path, "a", true);
  check_file(path, "b", true);
  std::unique_ptr<Index> ib = Index::open(path, existing("b", true));
  CHECK_EQ(ib->dimensions(), 9u);
  check_gets(*ib, b, {});
}

TEST(environment_registry_shares_one_env) {
  TempDir dir;
  const std::string path = dir.file("shared.arroy");
  std::mt19937_64 rng(11);
  Vectors items = random_items(rng, 100, 6);
  {
    std::unique_ptr<Index> first = Index::open(path, options(6, Metric::Euclidean));
    std::unique_ptr<Index> second = Index::open(path, existing());
    // Other spellings of the path reach the same file, hence the same env.
    const std::string link = dir.file("link.arroy");
    CHECK_EQ(::symlink(path.c_str(), link.c_str()), 0);
    auto env1 = arroy::Environment::open(path, {false, 0});
    auto env2 = arroy::Environment::open(link, {false, 0});
    auto env3 = arroy::Environment::open(dir.file("./shared.arroy"), {false, 0});
    CHECK(env1.get() == env2.get());
    CHECK(env1.get() == env3.get());
    // While it is open read-write, read-only opening is refused.
    CHECK_THROWS_CODE(Index::open(path, existing("vectors", true)), ErrorCode::InvalidArgument);
    CHECK_THROWS_CODE(arroy::Environment::open(link, {true, 0}), ErrorCode::InvalidArgument);
    // A build through one handle is visible through the other at once.
    add_all(*first, items);
    build(*first);
    CHECK_EQ(second->size(), 100u);
    check_gets(*second, items, {});
    // Closing one handle leaves the other working.
    first->close();
    CHECK(first->closed());
    CHECK_THROWS_CODE(first->size(), ErrorCode::Closed);
    std::vector<float> out;
    CHECK_THROWS_CODE(first->get(1, &out), ErrorCode::Closed);
    CHECK_THROWS_CODE(first->search(items.begin()->second.data(), 1, 0), ErrorCode::Closed);
    CHECK_EQ(second->size(), 100u);
    second->close();
    // env1..3 still hold the environment: read-only is still refused.
    CHECK_THROWS_CODE(Index::open(path, existing("vectors", true)), ErrorCode::InvalidArgument);
  }
  // Every handle released: the environment closed, read-only works now.
  std::unique_ptr<Index> reader = Index::open(path, existing("vectors", true));
  CHECK(reader->read_only());
  CHECK_EQ(reader->size(), 100u);
  CHECK_THROWS_CODE(Index::open(path, existing("vectors", false)), ErrorCode::InvalidArgument);
  reader.reset();
  std::unique_ptr<Index> writer = Index::open(path, existing("vectors", false));
  CHECK(!writer->read_only());
}

TEST(cancelled_build_commits_nothing) {
  TempDir dir;
  const std::string path = dir.file("cancel.arroy");
  std::mt19937_64 rng(21);
  Vectors items = random_items(rng, 600, 10);
  std::unique_ptr<Index> index = Index::open(path, options(10, Metric::Euclidean));
  add_all(*index, items);
  build(*index);
  const FileSummary before = check_file(path, "vectors");
  std::vector<float> q = random_vector(rng, 10);
  const std::vector<Hit> hits_before = index->search(q.data(), 10, 0);

  // No pending changes: the cancellation is seen while growing trees.
  {
    BuildOptions o;
    o.trees = 5;
    std::unique_ptr<BuildJob> job = index->start_build(o);
    BuildMonitor monitor;
    monitor.cancelled = true;
    CHECK_THROWS_CODE(job->run(monitor), ErrorCode::Aborted);
    CHECK(job->changes().empty());
  }
  CHECK_EQ(index->tree_count(), before.trees);

  // Pending adds and removes, cancelled before the job starts.
  Vectors extra = random_items(rng, 50, 10);
  extra.erase(0);
  extra.erase(0xFFFFFFFFu);
  add_all(*index, extra);
  index->remove(items.begin()->first);
  const size_t pending = index->pending_count();
  {
    std::unique_ptr<BuildJob> job = index->start_build({});
    CHECK_EQ(index->pending_count(), 0u);
    BuildMonitor monitor;
    monitor.cancelled = true;
    CHECK_THROWS_CODE(job->run(monitor), ErrorCode::Aborted);
    index->restore_pending(*job);
  }
  CHECK_EQ(index->pending_count(), pending);
  CHECK_EQ(index->size(), items.size());
  const FileSummary after = check_file(path, "vectors");
  CHECK_EQ(after.nodes, before.nodes);
  CHECK_EQ(after.items, before.items);
  check_gets(*index, items, {extra.begin()->first});
  std::vector<Hit> hits_after = index->search(q.data(), 10, 0);
  CHECK_EQ(hits_after.size(), hits_before.size());
  for (size_t i = 0; i < hits_after.size() && i < hits_before.size(); i++) CHECK_EQ(hits_after[i].id, hits_before[i].id);

  // Changes made while a job ran are newer than the job's and win on restore.
  {
    std::unique_ptr<BuildJob> job = index->start_build({});
    const uint32_t id = extra.begin()->first;
    std::vector<float> newer = random_vector(rng, 10);
    index->add(id, newer.data(), 10);
    extra[id] = newer;
    BuildMonitor monitor;
    monitor.cancelled = true;
    CHECK_THROWS_CODE(job->run(monitor), ErrorCode::Aborted);
    index->restore_pending(*job);
    CHECK_EQ(index->pending_count(), pending);
  }
  // The restored changes then build normally.
  build(*index);
  items.erase(items.begin());
  for (const auto& e : extra) items[e.first] = e.second;
  CHECK_EQ(index->size(), items.size());
  check_file(path, "vectors");
  check_gets(*index, items, {});
  check_exact_search(*index, Metric::Euclidean, items, q, 10);

  // An empty index: cancellation still stops the commit.
  std::unique_ptr<Index> empty = Index::open(path, options(3, Metric::Cosine, "empty"));
  std::unique_ptr<BuildJob> job = empty->start_build({});
  BuildMonitor monitor;
  monitor.cancelled = true;
  CHECK_THROWS_CODE(job->run(monitor), ErrorCode::Aborted);
}

TEST(input_validation) {
  TempDir dir;
  const std::string path = dir.file("input.arroy");
  std::unique_ptr<Index> index = Index::open(path, options(3, Metric::Cosine));
  const float ok[] = {1, 2, 3};
  const float zero[] = {0, 0, 0};
  const float nan[] = {1, NAN, 3};
  const float huge[] = {3e38f, 3e38f, 3e38f};
  CHECK_THROWS_CODE(index->add(1, ok, 2), ErrorCode::DimensionMismatch);
  CHECK_THROWS_CODE(index->add(1, ok, 4), ErrorCode::DimensionMismatch);
  CHECK_THROWS_CODE(index->add(1, zero, 3), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(index->add(1, nan, 3), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(index->add(1, huge, 3), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(index->search(zero, 1, 0), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(index->search(nan, 1, 0), ErrorCode::InvalidArgument);
  CHECK_EQ(index->pending_count(), 0u);
  BuildOptions bad;
  bad.trees = arroy::kMaxTrees + 1;
  CHECK_THROWS_CODE(index->start_build(bad), ErrorCode::InvalidArgument);
  bad = {};
  bad.bucket_capacity = 1;
  CHECK_THROWS_CODE(index->start_build(bad), ErrorCode::InvalidArgument);
  bad.bucket_capacity = arroy::kMaxBucketCapacity + 1;
  CHECK_THROWS_CODE(index->start_build(bad), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(Index::open(path, options(arroy::kMaxDimensions + 1, Metric::Cosine, "big")),
                    ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(Index::open(path, options(3, Metric::Cosine, "")), ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(Index::open(path, options(3, Metric::Cosine, std::string(arroy::kMaxIndexNameBytes + 1, 'n'))),
                    ErrorCode::InvalidArgument);
  OpenOptions no_dims = existing("new-one");
  no_dims.metric = Metric::Cosine;
  CHECK_THROWS_CODE(Index::open(path, no_dims), ErrorCode::InvalidArgument);
  TempDir other;
  CHECK_THROWS_CODE(Index::open(other.file("missing.arroy"), existing("vectors", true)), ErrorCode::NotAnIndex);
}

TEST(incremental_builds_keep_invariants) {
  // Many small batches routed through the stored trees: growth from nothing,
  // shrinking to nothing, overwrites, duplicates (ties on planes) and deep
  // trees of tiny buckets, checked after every build.
  TempDir dir;
  for (Metric metric : kMetrics) {
    CONTEXT("metric " << arroy::metric_name(metric));
    const std::string path = dir.file(std::string("stress-") + arroy::metric_name(metric));
    std::mt19937_64 rng(900 + static_cast<int>(metric));
    std::unique_ptr<Index> index = Index::open(path, options(6, metric));
    Vectors items;
    std::set<uint32_t> gone;
    std::vector<std::vector<float>> shared;  // vectors stored under several ids
    for (int i = 0; i < 3; i++) shared.push_back(random_vector(rng, 6));
    BuildOptions first;
    first.bucket_capacity = 4;
    first.trees = 3;
    for (int round = 0; round < 80; round++) {
      CONTEXT("round " << round);
      const int phase = round / 20;  // grow, churn, shrink to nothing, regrow
      const int adds = phase == 2 ? 0 : static_cast<int>(rng() % 60);
      const int removes = phase == 2 ? static_cast<int>(items.size() / 3 + 1) : static_cast<int>(rng() % 20);
      std::vector<uint32_t> present;
      for (const auto& item : items) present.push_back(item.first);
      std::shuffle(present.begin(), present.end(), rng);
      for (int i = 0; i < removes && i < static_cast<int>(present.size()); i++) {
        index->remove(present[i]);
        items.erase(present[i]);
        gone.insert(present[i]);
      }
      if (round == 59) {
        for (const auto& item : items) {
          index->remove(item.first);
          gone.insert(item.first);
        }
        items.clear();
      }
      for (int i = 0; i < adds; i++) {
        uint32_t id = static_cast<uint32_t>(rng() % 400);  // a small id space: overwrites and re-adds
        items[id] = rng() % 4 == 0 ? shared[rng() % shared.size()] : random_vector(rng, 6);
        gone.erase(id);
        index->add(id, items[id].data(), 6);
      }
      // Four threads on any machine: trees are routed and edited in parallel
      // (the thread sanitizer run watches these).
      BuildOptions build_options = round == 0 ? first : BuildOptions{};
      build_options.threads = 4;
      BuildReport report = build(*index, build_options);
      CHECK_EQ(report.items, items.size());
      CHECK_EQ(index->size(), items.size());
      check_file(path, "vectors");
      index->inspect(true);
      check_gets(*index, items, gone);
      if (!items.empty()) {
        std::vector<float> q = random_vector(rng, 6);
        check_exact_search(*index, metric, items, q, 10);
        check_exact_search(*index, metric, items, shared[round % shared.size()], 10);
      } else {
        CHECK_EQ(index->tree_count(), 0u);
      }
    }
  }
}

// A key record naming an item that does not name it back: stats (inspect
// without verify) must walk past it, and check must refuse it. Found by
// fuzz_search: stats closed the keys cursor on that mismatch and then kept
// using it.
TEST(inspect_survives_a_dangling_key) {
  TempDir dir;
  const std::string path = dir.file("keys.arroy");
  std::mt19937_64 rng(11);
  {
    OpenOptions o = options(4, Metric::Euclidean, "named");
    o.string_keys = true;
    std::unique_ptr<Index> index = Index::open(path, o);
    for (int i = 0; i < 20; i++) {
      std::vector<float> v = random_vector(rng, 4);
      index->add_key("key-" + std::to_string(i), v.data(), v.size());
    }
    build(*index);
  }
  {
    auto env = arroy::Environment::open(path, {false, 0});
    MDB_dbi keys = env->database({arroy::keys_database(0), false});
    arroy::Transaction txn;
    txn.begin(*env, true);
    txn.put(keys, std::string("key-3"), arroy::encode_u32_list({999999u}));
    txn.commit();
  }
  std::unique_ptr<Index> index = Index::open(path, existing("named"));
  arroy::IndexStats stats = index->inspect(false);
  CHECK_EQ(stats.items, 20u);
  CHECK_THROWS_CODE(index->inspect(true), ErrorCode::Corrupt);
}

// Fills the map of the file at `path` until not even a small record fits.
void fill_map(arroy::Environment& env) {
  MDB_dbi scratch = 0;
  try {
    scratch = env.database({"scratch", true});
  } catch (const arroy::Error&) {
    arroy::Transaction txn;
    txn.begin(env, true);
    env.create_databases(txn, {{"scratch", true}}, [&](const std::vector<MDB_dbi>& dbis) { scratch = dbis[0]; });
  }
  uint32_t key = 0;
  {
    arroy::Transaction txn;
    txn.begin(env, false);
    key = static_cast<uint32_t>(txn.entries(scratch));
  }
  for (size_t bytes : {size_t(3000), size_t(8)}) {
    for (;; key++) {
      try {
        arroy::Transaction txn;
        txn.begin(env, true);
        txn.put(scratch, key, std::vector<uint8_t>(bytes, 7));
        txn.commit();
      } catch (const arroy::MapFull&) {
        break;
      }
    }
  }
}

// Another process holding a read snapshot of the file at `path`: LMDB cannot
// reuse a page freed after it, so every write needs fresh pages. Ended (by
// SIGKILL, its reader slot left for mdb_reader_check) when destroyed.
class PinnedSnapshot {
 public:
  explicit PinnedSnapshot(const std::string& path) {
    int ready[2];
    if (::pipe(ready) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      // A fresh environment: LMDB handles must not cross a fork.
      MDB_env* env = nullptr;
      MDB_txn* txn = nullptr;
      bool ok = mdb_env_create(&env) == 0 && mdb_env_set_maxdbs(env, 64) == 0 &&
                mdb_env_open(env, path.c_str(), MDB_NOSUBDIR | MDB_RDONLY, 0644) == 0 &&
                mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0;
      char byte = ok ? 1 : 0;
      if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char byte = 0;
    ok_ = ::read(ready[0], &byte, 1) == 1 && byte == 1;
    ::close(ready[0]);
  }
  ~PinnedSnapshot() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  bool ok() const { return ok_; }

 private:
  pid_t pid_ = -1;
  bool ok_ = false;
};

TEST(creating_and_dropping_an_index_grow_a_full_map) {
  // LMDB spoils a transaction that fills the map. Index creation and drop
  // must then grow the map and try again, as builds do. A snapshot pinned by
  // another process makes every write need fresh pages, so that a write into
  // a map filled to the brim cannot fit.
  TempDir dir;
  const std::string path = dir.file("full.arroy");
  std::unique_ptr<Index> first = Index::open(path, [] {
    OpenOptions o = options(4, Metric::Euclidean, "first");
    o.map_size = 1 << 20;
    return o;
  }());
  auto env = arroy::Environment::open(path, {false, 0});  // the same environment, from the registry
  {
    PinnedSnapshot pinned(path);
    CHECK(pinned.ok());
    fill_map(*env);
    const uint64_t full = env->map_size();
    Index::open(path, options(4, Metric::Euclidean, "second"));
    CHECK(env->map_size() > full);
    CHECK(arroy::list_indexes(env) == std::vector<std::string>({"first", "second"}));

    fill_map(*env);
    const uint64_t full_again = env->map_size();
    CHECK(arroy::drop_index(env, "second"));
    CHECK(env->map_size() > full_again);
    CHECK(arroy::list_indexes(env) == std::vector<std::string>({"first"}));
  }
}
