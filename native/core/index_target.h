// What a read of one open index needs, shared between the Index object and
// searches running on other threads (the binding's async searches): the file
// stays open until the last of them lets go, even after Index::close().
//
// Every search, synchronous or not, goes through search_target(), so an
// option added to SearchRequest reaches both with no second code path.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "distance/kernels.h"
#include "distance/metric.h"
#include "items/attribute_store.h"
#include "items/index_databases.h"
#include "items/read_view.h"
#include "search/search.h"
#include "storage/environment.h"
#include "storage/transaction.h"

namespace arroy {

// A read transaction (reset between calls, keeping its reader slot) and the
// view cached over it. One thread uses a session at a time.
struct ReadSession {
  Transaction txn;
  ReadView view;
};

class SearchTarget;

// One call's read snapshot in a session: begins (renews) it, checks that the
// index is still the one opened, and resets it at the end, so that no
// snapshot outlives the call.
class SnapshotScope {
 public:
  SnapshotScope(const SearchTarget& target, ReadSession& session);
  ~SnapshotScope();
  SnapshotScope(const SnapshotScope&) = delete;
  SnapshotScope& operator=(const SnapshotScope&) = delete;
  ReadView& view() { return session_.view; }
  const Transaction& txn() const { return session_.txn; }

 private:
  ReadSession& session_;
};

class SearchTarget {
 public:
  SearchTarget(std::shared_ptr<Environment> env, IndexDatabases dbs, uint64_t instance, uint32_t dimensions,
               Metric metric, bool string_keys);
  ~SearchTarget();

  const std::shared_ptr<Environment>& env() const { return env_; }
  const IndexDatabases& dbs() const { return dbs_; }
  uint64_t instance() const { return instance_; }
  uint32_t dimensions() const { return dimensions_; }
  Metric metric() const { return metric_; }
  const Kernels& kernels() const { return *kernels_; }
  bool string_keys() const { return string_keys_; }

  // The resolved `where` predicates of recent searches (search/where.h).
  WhereCache& where_cache() const { return where_cache_; }

  // Set by Index::close(): searches that have not started yet fail with
  // Closed; those running finish.
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  void mark_closed() { closed_.store(true, std::memory_order_release); }

  // A session for another thread, kept warm across calls (its view's cached
  // addresses stay valid while nothing is committed). Give it back with
  // return_session; sessions are freed, their transactions aborted, before
  // the environment is released.
  std::unique_ptr<ReadSession> borrow_session() const;
  void return_session(std::unique_ptr<ReadSession> session) const;

 private:
  // Declared first, so released last: after every session's transaction.
  std::shared_ptr<Environment> env_;
  IndexDatabases dbs_;
  uint64_t instance_;
  uint32_t dimensions_;
  Metric metric_;
  const Kernels* kernels_;
  bool string_keys_;
  std::atomic<bool> closed_{false};
  mutable WhereCache where_cache_;
  mutable std::mutex sessions_mutex_;
  mutable std::vector<std::unique_ptr<ReadSession>> idle_sessions_;
};

// The one search entry of the core: checks the query (length, finite values,
// a cosine query's norm), searches a snapshot of `session`, and with `keys`
// (string-keyed indexes) reads each hit's key in the same snapshot, with
// `attributes` each hit's attributes.
std::vector<Hit> search_target(const SearchTarget& target, ReadSession& session, const float* query, size_t length,
                               const SearchRequest& request, std::vector<std::string>* keys,
                               std::vector<Attributes>* attributes = nullptr);

// The keys of `hits`, read in `txn`.
void read_hit_keys(const SearchTarget& target, const Transaction& txn, const std::vector<Hit>& hits,
                   std::vector<std::string>* keys);
// The attributes of `hits` (empty for an item without), read in `txn`; does
// nothing when `attributes` is null.
void read_hit_attributes(const SearchTarget& target, const Transaction& txn, const std::vector<Hit>& hits,
                         std::vector<Attributes>* attributes);

}  // namespace arroy
