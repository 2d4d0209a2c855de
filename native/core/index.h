// One named index inside an arroy-ts file: the API the binding wraps.
//
// Reads (get, search, counts) are synchronous and each runs in its own short
// LMDB read snapshot, released before returning. Changes (add, remove) are
// held in memory as pending until a build commits them, together with a
// rebuilt forest, in one write transaction; readers see the old state or the
// new one, never a mix. A BuildJob runs on a worker thread and touches nothing
// of the Index but what it was given.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "distance.h"
#include "errors.h"
#include "filter.h"
#include "forest.h"
#include "inspect.h"
#include "records.h"
#include "search.h"
#include "slabs.h"
#include "snapshot.h"
#include "storage.h"

namespace arroy {

struct OpenOptions {
  std::string name = "default";
  uint32_t dimensions = 0;         // 0: take it from the file (the index must exist)
  std::optional<Metric> metric;    // empty: take it from the file
  std::optional<bool> string_keys; // items addressed by string keys; empty: take it from the file (creating: false)
  bool read_only = false;
  uint64_t map_size = 0;           // 0: kDefaultMapSize
};

// The optional parts of a search: which items it may return, how it finds
// them, and where to report what it did.
struct Query {
  AllowedSet* filter = nullptr;
  SearchStrategy strategy = SearchStrategy::Auto;
  SearchStats* stats = nullptr;
};

// Pending changes, by id (or by string key): a vector to store, or nullopt to delete.
using ChangeBatch = std::map<uint32_t, std::optional<std::vector<float>>>;
using KeyedChangeBatch = std::map<std::string, std::optional<std::vector<float>>>;

struct BuildOptions {
  bool rebuild = false;          // grow every tree afresh instead of updating the forest
  uint32_t trees = 0;            // 0: default_tree_count
  uint64_t seed = 0;
  bool has_seed = false;         // false: kDefaultSeed
  uint32_t bucket_capacity = 0;  // 0: keep the index's
  unsigned threads = 0;          // 0: every hardware thread
};

struct BuildReport {
  uint32_t items = 0;
  uint32_t trees = 0;
  uint64_t nodes = 0;        // nodes in the forest after the build
  bool incremental = false;  // true when the existing forest was updated in place
};

class BuildJob {
 public:
  BuildJob(std::shared_ptr<Environment> env, IndexDatabases dbs, uint64_t instance, ChangeBatch changes,
           KeyedChangeBatch keyed_changes, BuildOptions options)
      : env_(std::move(env)),
        dbs_(dbs),
        instance_(instance),
        changes_(std::move(changes)),
        keyed_changes_(std::move(keyed_changes)),
        options_(options) {}
  // Runs the whole build in one write transaction. Throws on failure or
  // cancellation, in which case nothing was committed. (build_job.cc)
  BuildReport run(BuildMonitor& monitor);
  // The same inside a write transaction the caller commits.
  BuildReport run_in(Transaction& txn, BuildMonitor& monitor);
  const Environment* environment() const { return env_.get(); }
  // Drops the job's share of the file once it has run, so that the file can
  // close as soon as its handles do (the changes stay, for restore_pending).
  void release_environment() { env_.reset(); }
  // The changes this job was given, for putting back after a failure.
  ChangeBatch& changes() { return changes_; }
  KeyedChangeBatch& keyed_changes() { return keyed_changes_; }

 private:
  struct Context;
  // The changes to apply, by id: the numeric ones, or the keyed ones resolved.
  const ChangeBatch& batch() const { return keyed_changes_.empty() ? changes_ : resolved_; }
  void resolve_keys(Context& c);
  void apply_changes(Context& c, BuildMonitor& monitor);
  void rebuild_forest(Context& c, BuildMonitor& monitor);
  void update_forest(Context& c, BuildMonitor& monitor);

  std::shared_ptr<Environment> env_;
  IndexDatabases dbs_;
  uint64_t instance_;
  ChangeBatch changes_;
  KeyedChangeBatch keyed_changes_;
  ChangeBatch resolved_;  // keyed changes translated to ids, during run_in
  BuildOptions options_;
};

// Runs several builds (of indexes of one file) in one write transaction, so
// they commit together or not at all.
std::vector<BuildReport> run_together(const std::vector<BuildJob*>& jobs, BuildMonitor& monitor);

// The names of the indexes a file holds, in creation order.
std::vector<std::string> list_indexes(const std::shared_ptr<Environment>& env);

// Deletes an index and its data; false if the file has no index of that
// name. Index objects still open on it fail with NotAnIndex from then on.
bool drop_index(const std::shared_ptr<Environment>& env, const std::string& name);

class Index {
 public:
  static std::unique_ptr<Index> open(const std::string& path, const OpenOptions& options);
  ~Index();

  uint32_t dimensions() const { return dimensions_; }
  Metric metric() const { return metric_; }
  const std::string& name() const { return name_; }
  bool read_only() const { return env_ && env_->read_only(); }
  bool closed() const { return !env_; }

  // Committed state.
  uint32_t size();
  uint32_t tree_count();
  bool string_keys() const { return string_keys_; }
  bool get(uint32_t id, std::vector<float>* out);
  bool has(uint32_t id);
  // The committed id of a string key.
  std::optional<uint32_t> id_of_key(const std::string& key);
  // Up to `limit` committed keys, in byte order, from `from` on (inclusive).
  std::vector<std::string> keys_from(const std::string& from, uint32_t limit);
  // The distance (as search reports it) between two stored items; nullopt if
  // either is not stored.
  std::optional<float> distance(uint32_t a, uint32_t b);
  // Up to `limit` stored ids, ascending, starting at `from` (inclusive).
  std::vector<uint32_t> ids_from(uint64_t from, uint32_t limit);
  // Seed of the committed forest; nullopt before the first build.
  std::optional<uint64_t> seed();
  // With `keys` (string-keyed indexes), also the key of each hit, read in
  // the same snapshot. With `filter`, only the items it allows.
  std::vector<Hit> search(const float* query, uint32_t k, uint64_t search_k, std::vector<std::string>* keys = nullptr,
                          const Query& query_options = {});
  // nullopt when id is not stored.
  std::optional<std::vector<Hit>> search_by_id(uint32_t id, uint32_t k, uint64_t search_k,
                                               std::vector<std::string>* keys = nullptr,
                                               const Query& query_options = {});

  // Describes the committed index; with verify, throws Corrupt on the first
  // broken invariant (see inspect.h).
  IndexStats inspect(bool verify);

  // Pending changes (validated here, so a build never meets bad input).
  void add(uint32_t id, const float* values, size_t length);
  void remove(uint32_t id);
  void add_key(const std::string& key, const float* values, size_t length);
  void remove_key(const std::string& key);
  size_t pending_count() const { return pending_.size() + keyed_pending_.size(); }

  // Hands the pending changes to a new build job; restore_pending() puts them
  // back (under any newer ones) if the job fails.
  std::unique_ptr<BuildJob> start_build(const BuildOptions& options);
  void restore_pending(BuildJob& job);

  void close();

 private:
  Index() = default;
  void check_open() const;
  void check_writable(bool keyed) const;
  void check_vector(const float* values, size_t length) const;
  void fill_keys(const std::vector<Hit>& hits, std::vector<std::string>* keys);
  std::vector<Hit> run_query(SnapshotView& view, SearchRequest request, const Query& options);
  // Starts a call's read snapshot; the returned scope ends it.
  class Read;

  std::shared_ptr<Environment> env_;
  IndexDatabases dbs_;
  uint64_t instance_ = 0;
  std::string name_;
  uint32_t dimensions_ = 0;
  Metric metric_ = Metric::Euclidean;
  const Kernels* kernels_ = nullptr;
  Transaction reader_;
  SnapshotView view_;
  bool string_keys_ = false;
  ChangeBatch pending_;
  KeyedChangeBatch keyed_pending_;
};

}  // namespace arroy
