// Builds (forest/build_job.h) seen from the index: determinism whatever the
// thread count, cancellation, emptying an index and filling it again, and
// the file's invariants after every one of many small incremental builds.
#include <lmdb.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "format.h"
#include "harness.h"
#include "index.h"
#include "index_fixtures.h"
#include "storage/cursor.h"
#include "storage/environment.h"
#include "storage/transaction.h"

using arroy::BuildJob;
using arroy::BuildMonitor;
using namespace arroy_test;

namespace {

// Runs a job whose build is cancelled before it starts: it must stop with Aborted.
void run_cancelled(BuildJob& job) {
  BuildMonitor monitor;
  monitor.cancelled = true;
  CHECK_THROWS_CODE(job.run(monitor), ErrorCode::Aborted);
}

}  // namespace

TEST(builds_do_not_depend_on_thread_count) {
  TempDir dir;
  std::mt19937_64 rng(77);
  Vectors items = random_items(rng, 1500, 12);
  std::vector<std::map<uint32_t, std::vector<uint8_t>>> forests;
  for (unsigned threads : {1u, 2u, 3u}) {
    const std::string path = dir.file("t" + std::to_string(threads));
    {
      std::unique_ptr<Index> index = Index::open(path, create_options(12, Metric::Cosine));
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

TEST(cancelled_build_commits_nothing) {
  TempDir dir;
  const std::string path = dir.file("cancel.arroy");
  std::mt19937_64 rng(21);
  Vectors items = random_items(rng, 600, 10);
  std::unique_ptr<Index> index = built_index(path, Metric::Euclidean, items);
  const FileSummary before = check_file(path, "vectors");
  std::vector<float> q = normal_vector(rng, 10);
  const std::vector<Hit> hits_before = index->search(q.data(), q.size(), {10, 0});

  // No pending changes: the cancellation is seen while growing trees.
  {
    BuildOptions o;
    o.trees = 5;
    std::unique_ptr<BuildJob> job = index->start_build(o);
    run_cancelled(*job);
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
    run_cancelled(*job);
    index->restore_pending(*job);
  }
  CHECK_EQ(index->pending_count(), pending);
  CHECK_EQ(index->size(), items.size());
  const FileSummary after = check_file(path, "vectors");
  CHECK_EQ(after.nodes, before.nodes);
  CHECK_EQ(after.items, before.items);
  check_gets(*index, items, {extra.begin()->first});
  std::vector<Hit> hits_after = index->search(q.data(), q.size(), {10, 0});
  CHECK_EQ(hits_after.size(), hits_before.size());
  for (size_t i = 0; i < hits_after.size() && i < hits_before.size(); i++) {
    CHECK_EQ(hits_after[i].id, hits_before[i].id);
  }

  // Changes made while a job ran are newer than the job's and win on restore.
  {
    std::unique_ptr<BuildJob> job = index->start_build({});
    const uint32_t id = extra.begin()->first;
    std::vector<float> newer = normal_vector(rng, 10);
    index->add(id, newer.data(), 10);
    extra[id] = newer;
    run_cancelled(*job);
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
  std::unique_ptr<Index> empty = Index::open(path, create_options(3, Metric::Cosine, "empty"));
  std::unique_ptr<BuildJob> job = empty->start_build({});
  run_cancelled(*job);
}

TEST(delete_everything_then_refill) {
  TempDir dir;
  const std::string path = dir.file("index.arroy");
  std::mt19937_64 rng(5);
  Vectors items = random_items(rng, 300, 8);
  std::unique_ptr<Index> index = built_index(path, Metric::Euclidean, items);
  check_file(path, "vectors");
  for (const auto& item : items) index->remove(item.first);
  BuildReport report = build(*index);
  CHECK_EQ(report.items, 0u);
  CHECK_EQ(report.trees, 0u);
  CHECK_EQ(index->size(), 0u);
  CHECK_EQ(index->tree_count(), 0u);
  FileSummary summary = check_file(path, "vectors");
  CHECK_EQ(summary.nodes, 0u);
  std::vector<float> q = normal_vector(rng, 8);
  CHECK(index->search(q.data(), q.size(), {10, 0}).empty());
  // Freed slots are reused: the refilled index is as compact as the first.
  Vectors again = random_items(rng, 300, 8);
  add_all(*index, again);
  build(*index);
  check_file(path, "vectors");
  check_gets(*index, again, {});
  check_exact_search(*index, Metric::Euclidean, again, q, 10);
  // Fewer items than k, and a single bucket.
  Vectors few;
  for (uint32_t id : {3u, 1u, 2u}) few[id] = normal_vector(rng, 8);
  for (const auto& item : again) index->remove(item.first);
  add_all(*index, few);
  report = build(*index);
  CHECK_EQ(report.trees, 1u);
  check_file(path, "vectors");
  check_exact_search(*index, Metric::Euclidean, few, q, 10);
}

TEST(incremental_builds_keep_invariants) {
  // Many small batches routed through the stored trees: growth from nothing,
  // shrinking to nothing, overwrites, duplicates (ties on planes) and deep
  // trees of tiny buckets, checked after every build.
  TempDir dir;
  for (Metric metric : arroy::kMetrics) {
    CONTEXT("metric " << arroy::metric_name(metric));
    const std::string path = dir.file(std::string("stress-") + arroy::metric_name(metric));
    std::mt19937_64 rng(900 + static_cast<int>(metric));
    std::unique_ptr<Index> index = Index::open(path, create_options(6, metric));
    Vectors items;
    std::set<uint32_t> gone;
    std::vector<std::vector<float>> shared;  // vectors stored under several ids
    for (int i = 0; i < 3; i++) shared.push_back(normal_vector(rng, 6));
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
        items[id] = rng() % 4 == 0 ? shared[rng() % shared.size()] : normal_vector(rng, 6);
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
        std::vector<float> q = normal_vector(rng, 6);
        check_exact_search(*index, metric, items, q, 10);
        check_exact_search(*index, metric, items, shared[round % shared.size()], 10);
      } else {
        CHECK_EQ(index->tree_count(), 0u);
      }
    }
  }
}

// Attributes ride in the build's transaction: every item's record and its
// postings (keys with empty values, which LMDB copies from a pointer that
// must not be null) are written, and read back as they were given.
TEST(builds_store_attributes_and_their_postings) {
  TempDir dir;
  std::mt19937_64 rng(5);
  Vectors items = random_items(rng, 40, 8);
  std::unique_ptr<Index> index = Index::open(dir.file("attrs.arroy"), create_options(8, Metric::Euclidean));
  auto genre_of = [](uint32_t id) { return std::string(id % 2 ? "jazz" : "rock"); };
  for (const auto& [id, vector] : items) {
    arroy::AttributeScalar genre;
    genre.type = arroy::AttributeType::String;
    genre.text = genre_of(id);
    arroy::AttributeField field;
    field.name = "genre";
    field.type = arroy::AttributeType::String;
    field.values = {genre};
    index->add(id, vector.data(), vector.size(), {field});
  }
  build(*index, BuildOptions{});
  for (const auto& [id, vector] : items) {
    std::optional<arroy::Attributes> got = index->attributes_of(id);
    CHECK(got.has_value());
    CHECK(got->size() == 1);
    CHECK((*got)[0].name == "genre");
    CHECK((*got)[0].values.size() == 1);
    CHECK((*got)[0].values[0].text == genre_of(id));
  }
}
