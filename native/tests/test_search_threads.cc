// Searches from several threads at once, as the binding's async searches run
// them: each thread borrows a read session of the index's SearchTarget and
// goes through search_target(), sharing one AllowedSet. They must agree with
// the synchronous search, keep working across a commit, and keep the file
// usable after the Index that handed out the target is closed. Run under
// ThreadSanitizer by npm run test:tsan.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "harness.h"
#include "index.h"
#include "index_fixtures.h"
#include "search/search_pool.h"

using namespace arroy_test;

namespace {

constexpr uint32_t kDims = 12;

std::vector<Hit> search_on(const arroy::SearchTarget& target, const std::vector<float>& query,
                           const arroy::SearchRequest& request) {
  std::unique_ptr<arroy::ReadSession> session = target.borrow_session();
  std::vector<Hit> hits = arroy::search_target(target, *session, query.data(), query.size(), request, nullptr);
  target.return_session(std::move(session));
  return hits;
}

bool same(const std::vector<Hit>& a, const std::vector<Hit>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (a[i].id != b[i].id || a[i].distance != b[i].distance) return false;
  }
  return true;
}

}  // namespace

TEST(threads_agree_with_the_synchronous_search) {
  TempDir dir;
  std::mt19937_64 rng(71);
  Vectors items = random_items(rng, 1500, kDims);
  std::unique_ptr<Index> index = built_index(dir.file("threads.arroy"), Metric::Euclidean, items);
  std::vector<uint32_t> allowed_ids;
  for (const auto& item : items) {
    if (allowed_ids.size() < 300) allowed_ids.push_back(item.first);
  }
  arroy::AllowedSet allowed(allowed_ids, {});
  std::vector<std::vector<float>> queries;
  for (int q = 0; q < 16; q++) queries.push_back(normal_vector(rng, kDims));

  std::vector<arroy::SearchRequest> requests(2);
  requests[0].k = 10;
  requests[1].k = 10;
  requests[1].filter = &allowed;
  std::vector<std::vector<std::vector<Hit>>> expected(requests.size());
  for (size_t r = 0; r < requests.size(); r++) {
    for (const auto& q : queries) expected[r].push_back(index->search(q.data(), q.size(), requests[r]));
  }

  std::shared_ptr<const arroy::SearchTarget> target = index->target();
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; round++) {
        for (size_t q = 0; q < queries.size(); q++) {
          const size_t r = (q + t + round) % requests.size();
          if (!same(search_on(*target, queries[q], requests[r]), expected[r][q])) mismatches++;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK_EQ(mismatches.load(), 0);

  // A commit between searches: the sessions see the new state (the filter resolved again).
  const uint32_t added = 0x7777;
  index->add(added, queries[0].data(), queries[0].size());
  build(*index);
  allowed_ids.push_back(added);
  arroy::AllowedSet with_added(allowed_ids, {});
  arroy::SearchRequest exact;
  exact.k = 1;
  exact.strategy = arroy::SearchStrategy::Exact;
  exact.filter = &with_added;
  std::vector<Hit> hit = search_on(*target, queries[0], exact);
  if (CHECK_EQ(hit.size(), 1u)) CHECK_EQ(hit[0].id, added);

  // Closed: the target still reads (searches already running finish), and says it is closed.
  index->close();
  CHECK(target->closed());
  CHECK(same(search_on(*target, queries[3], requests[0]), expected[0][3]));
}

TEST(search_pool_runs_every_task) {
  std::mutex mutex;
  std::condition_variable done;
  int count = 0;
  const int tasks = 200;
  for (int i = 0; i < tasks; i++) {
    arroy::run_on_search_pool([&] {
      std::lock_guard<std::mutex> lock(mutex);
      if (++count == tasks) done.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [&] { return count == tasks; });
  CHECK_EQ(count, tasks);
  CHECK(arroy::search_pool_threads() >= 1u);
}
