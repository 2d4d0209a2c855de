// A build: the pending changes of one index (or several, built together)
// committed with an up-to-date forest in one LMDB write transaction.
//
// A BuildJob is made by Index::start_build on the JS thread and run on a
// build thread; it touches nothing of the Index but what it was given (its
// share of the file, the index's databases and the changes), so the Index
// stays usable while it runs. build_job.cc says how the forest is brought up
// to date.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "forest/build_monitor.h"
#include "items/attribute_store.h"
#include "items/index_databases.h"
#include "storage/environment.h"
#include "storage/transaction.h"

namespace arroy {

// Pending changes, by id (or by string key): a vector to store, or nullopt to
// delete. The attributes of stored items come beside them (attribute_store.h):
// an item stored with no entry there has none after the build.
using ChangeBatch = std::map<uint32_t, std::optional<std::vector<float>>>;
using KeyedChangeBatch = std::map<std::string, std::optional<std::vector<float>>>;

struct BuildOptions {
  bool rebuild = false;          // grow every tree afresh instead of updating the forest
  uint32_t trees = 0;            // 0: default_tree_count
  uint64_t seed = 0;
  bool has_seed = false;         // false: kDefaultSeed
  uint32_t bucket_capacity = 0;  // 0: keep the index's
  unsigned threads = 0;          // 0: every hardware thread
  std::optional<bool> graph;     // keep a neighbour graph; empty: as the index has it (a new index: true)
  uint32_t graph_degree = 0;     // 0: keep the graph's, or default_graph_degree (a new degree relinks every item)
};

struct BuildReport {
  uint32_t items = 0;
  uint32_t trees = 0;
  uint64_t nodes = 0;        // nodes in the forest after the build
  bool incremental = false;  // true when the existing forest was updated in place
  bool graph = false;        // the index has a neighbour graph after the build
};

class BuildJob {
 public:
  BuildJob(std::shared_ptr<Environment> env, IndexDatabases dbs, uint64_t instance, ChangeBatch changes,
           KeyedChangeBatch keyed_changes, BuildOptions options, AttributeBatch attributes = {},
           KeyedAttributeBatch keyed_attributes = {})
      : env_(std::move(env)),
        dbs_(dbs),
        instance_(instance),
        changes_(std::move(changes)),
        keyed_changes_(std::move(keyed_changes)),
        attributes_(std::move(attributes)),
        keyed_attributes_(std::move(keyed_attributes)),
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
  AttributeBatch& attributes() { return attributes_; }
  KeyedAttributeBatch& keyed_attributes() { return keyed_attributes_; }

 private:
  struct Context;
  // The changes to apply, by id: the numeric ones, or the keyed ones resolved.
  const ChangeBatch& batch() const { return keyed_changes_.empty() ? changes_ : resolved_; }
  const AttributeBatch& attribute_batch() const { return keyed_changes_.empty() ? attributes_ : resolved_attributes_; }
  void resolve_keys(Context& c);
  void apply_changes(Context& c, BuildMonitor& monitor);
  void rebuild_forest(Context& c, BuildMonitor& monitor);
  void update_forest(Context& c, BuildMonitor& monitor);
  void update_graph_of(Context& c, bool incremental, BuildMonitor& monitor);

  std::shared_ptr<Environment> env_;
  IndexDatabases dbs_;
  uint64_t instance_;
  ChangeBatch changes_;
  KeyedChangeBatch keyed_changes_;
  AttributeBatch attributes_;
  KeyedAttributeBatch keyed_attributes_;
  ChangeBatch resolved_;  // keyed changes translated to ids, during run_in
  AttributeBatch resolved_attributes_;
  BuildOptions options_;
};

// Runs several builds (of indexes of one file) in one write transaction, so
// they commit together or not at all.
std::vector<BuildReport> run_together(const std::vector<BuildJob*>& jobs, BuildMonitor& monitor);

}  // namespace arroy
