// BuildJob::run: commits a batch of changes and brings the forest up to date,
// all in one LMDB write transaction.
//
// The first build of an index (and any build with rebuild: true or a new
// bucket capacity) grows every tree afresh from all items. Later builds
// update the stored forest in place: each changed item is removed from and
// routed into every tree along its own path (ForestEditor), so their cost
// follows the batch. Trees are added when the index has grown enough to want
// more, and dropped when it has shrunk well below that.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "defaults.h"
#include "errors.h"
#include "forest/build_job.h"
#include "forest/editor.h"
#include "forest/router.h"
#include "forest/tree_builder.h"
#include "graph/graph_update.h"
#include "items/slab_editor.h"
#include "items/slots.h"
#include "records/index_meta.h"
#include "records/u32_records.h"
#include "storage/map_growth.h"

namespace arroy {

struct BuildJob::Context {
  explicit Context(Transaction& t) : txn(t) {}
  Transaction& txn;
  MDB_dbi main = 0;
  IndexMeta meta;
  const Kernels* kernels = nullptr;
  uint64_t seed = 0;
  unsigned threads = 1;
  bool graph = false;                  // the index keeps a neighbour graph
  std::optional<GraphRecord> graph_record;  // the graph as committed before this build
  std::vector<uint32_t> removed_slots;  // incremental: slots whose items left or were overwritten
  std::vector<uint32_t> inserted_slots; // incremental: slots of the items this build stored
};

namespace {

// Every live item, as views into the transaction's pages: valid until the
// transaction next writes.
std::vector<BuildItem> collect_items(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta,
                                     float* max_norm) {
  std::vector<BuildItem> items;
  items.reserve(meta.item_count);
  *max_norm = 0;
  for_each_live_slot(txn, dbs, meta, [&](uint32_t slot, const SlotView& view) {
    items.push_back({slot, view.values, view.norm});
    *max_norm = std::max(*max_norm, view.norm);
  });
  if (items.size() != meta.item_count) corrupt("the slabs hold another number of items than the metadata says");
  return items;
}

// Writes freshly grown trees with node ids from meta.node_count upwards and
// adds their roots. Ids only grow, so every put appends.
//
// The splits of all trees take the lower ids and the buckets the higher ones:
// LMDB pages then hold nodes of one kind. Incremental builds rewrite buckets
// and rarely a split, so they copy (and commit) only bucket pages, a sixth of
// the forest at 100 dimensions; and searches find the splits they walk packed
// together.
void write_trees(Transaction& txn, const IndexDatabases& dbs, IndexMeta& meta, const std::vector<BuiltTree>& forest,
                 BuildMonitor& monitor) {
  uint64_t total = meta.node_count;
  for (const BuiltTree& tree : forest) total += tree.nodes.size();
  if (total > 0xFFFFFFFFull) fail(ErrorCode::InvalidArgument, "too many tree nodes: build fewer trees");
  monitor.enter(BuildPhase::Writing, total - meta.node_count);

  // Stored ids: local node numbers of tree t map to ids[t][local].
  std::vector<std::vector<uint32_t>> ids(forest.size());
  uint32_t next = meta.node_count;
  for (bool buckets : {false, true}) {
    for (size_t t = 0; t < forest.size(); t++) {
      ids[t].resize(forest[t].nodes.size());
      for (size_t local = 0; local < forest[t].nodes.size(); local++) {
        if ((forest[t].nodes[local].tag == NodeTag::Bucket) == buckets) ids[t][local] = next++;
      }
    }
  }

  auto last_tick = std::chrono::steady_clock::now();
  ByteWriter bytes;
  for (bool buckets : {false, true}) {
    for (size_t t = 0; t < forest.size(); t++) {
      const BuiltTree& tree = forest[t];
      for (uint32_t local = 0; local < tree.nodes.size(); local++) {
        if ((tree.nodes[local].tag == NodeTag::Bucket) != buckets) continue;
        bytes.clear();
        append_built_node(bytes, tree, local, ids[t], meta.dimensions);
        txn.put(dbs.nodes, ids[t][local], bytes.buffer(), MDB_APPEND);
        if ((monitor.done++ & 1023) == 0) {
          check_cancelled(monitor);
          auto now = std::chrono::steady_clock::now();
          if (monitor.on_tick && now - last_tick > std::chrono::milliseconds(monitor.interval_ms)) {
            monitor.on_tick();
            last_tick = now;
          }
        }
      }
    }
  }
  for (size_t t = 0; t < forest.size(); t++) meta.roots.push_back(ids[t][0]);
  meta.node_count = next;
}

uint32_t target_trees(const BuildOptions& options, const IndexMeta& meta, bool graph) {
  if (meta.item_count == 0) return 0;
  if (meta.item_count <= meta.bucket_capacity) return 1;  // every tree would be the same single bucket
  if (options.trees) return options.trees;
  return graph ? kGraphTreeCount : default_tree_count(meta.item_count, meta.dimensions);
}

}  // namespace

// Gives new keys ids (never reused: a deleted key's id stays retired) and
// records both directions of the map, then states the changes by id.
void BuildJob::resolve_keys(Context& c) {
  resolved_.clear();
  resolved_attributes_.clear();
  for (const auto& change : keyed_changes_) {
    const std::string& key = change.first;
    MDB_val value;
    std::optional<uint32_t> id;
    if (c.txn.get(dbs_.keys, key, &value)) id = decode_u32(value.mv_data, value.mv_size, "key record");
    if (change.second) {
      if (!id) {
        if (c.meta.next_key_id == 0xFFFFFFFFu) fail(ErrorCode::InvalidArgument, "the index has used every key id");
        id = c.meta.next_key_id++;
        c.txn.put(dbs_.keys, key, encode_u32_list({*id}));
        c.txn.put(dbs_.key_names, *id, std::vector<uint8_t>(key.begin(), key.end()));
      }
      resolved_[*id] = change.second;
      auto attributes = keyed_attributes_.find(key);
      if (attributes != keyed_attributes_.end()) resolved_attributes_[*id] = attributes->second;
    } else if (id) {
      c.txn.del(dbs_.keys, key);
      c.txn.del(dbs_.key_names, *id);
      resolved_[*id] = std::nullopt;
    }
  }
}

// Every changed item's old attributes leave (while its committed slot is
// known), the slabs change, then the new attributes go in at the items' slots.
void BuildJob::apply_changes(Context& c, BuildMonitor& monitor) {
  AttributeEditor attributes(c.txn, c.main, dbs_);
  for (const auto& change : batch()) attributes.forget(change.first);
  SlabEditor editor(c.txn, c.main, dbs_, c.meta);
  for (const auto& change : batch()) {
    if (change.second) {
      const std::vector<float>& v = *change.second;
      editor.put(change.first, v, l2_norm(*c.kernels, v.data(), c.meta.dimensions));
    } else {
      editor.remove(change.first);
    }
    monitor.done++;
    check_cancelled(monitor);
  }
  editor.finish();
  for (const auto& entry : attribute_batch()) {
    std::optional<uint32_t> slot = find_slot(c.txn, dbs_.ids, entry.first);
    if (!slot) corrupt("an item just stored has no slot");
    attributes.store(entry.first, *slot, entry.second);
  }
  attributes.finish();
}

void BuildJob::rebuild_forest(Context& c, BuildMonitor& monitor) {
  IndexMeta& meta = c.meta;
  float max_norm = 0;
  std::vector<BuildItem> items = collect_items(c.txn, dbs_, meta, &max_norm);
  ForestParams params;
  params.trees = target_trees(options_, meta, c.graph);
  params.bucket_capacity = meta.bucket_capacity;
  params.seed = c.seed;
  params.threads = c.threads;
  Geometry geometry{c.kernels, meta.metric, meta.dimensions, max_norm};
  monitor.enter(BuildPhase::Trees, uint64_t(items.size()) * params.trees);
  std::vector<BuiltTree> forest = build_forest(geometry, items, params, monitor);
  items.clear();

  c.txn.clear(dbs_.nodes);
  meta.roots.clear();
  meta.node_count = 0;
  meta.max_norm = max_norm;
  write_trees(c.txn, dbs_, meta, forest, monitor);
}

void BuildJob::update_forest(Context& c, BuildMonitor& monitor) {
  IndexMeta& meta = c.meta;
  const uint32_t dims = meta.dimensions;
  // Planes keep the lifting of the build that made them (dot metric).
  Geometry geometry{c.kernels, meta.metric, dims, meta.max_norm};
  ForestEditor editor(c.txn, dbs_, meta, geometry, c.seed ^ meta.node_count);

  monitor.enter(BuildPhase::Applying, 2 * batch().size());
  // Old versions leave the trees, read in place: nothing of this index is
  // written before apply_changes() below.
  std::vector<BuildItem> removals;
  std::vector<BuildItem> insertions;
  std::vector<uint32_t> inserted;  // the ids of the insertions, in order
  for (const auto& change : batch()) {
    std::optional<uint32_t> slot = find_slot(c.txn, dbs_.ids, change.first);
    if (slot) {
      MDB_val slab{0, nullptr};
      if (*slot >= meta.slot_count) corrupt("the slot of item " + std::to_string(change.first) + " is missing");
      c.txn.get(dbs_.slabs, *slot / meta.slots_per_slab, &slab);
      SlotView old = live_slot_in(slab, *slot, meta);
      // Stored again exactly as it is (say, a re-indexed document that did
      // not change): it keeps its place in every tree.
      if (change.second && std::memcmp(old.values, change.second->data(), sizeof(float) * dims) == 0) continue;
      removals.push_back({*slot, old.values, old.norm});
      c.removed_slots.push_back(*slot);
    }
    if (change.second) {
      const std::vector<float>& v = *change.second;
      insertions.push_back({0, v.data(), l2_norm(*c.kernels, v.data(), dims)});
      inserted.push_back(change.first);
    }
  }
  RoutingRequest request{&meta, &geometry, &removals, &insertions, c.seed ^ meta.node_count, c.threads};
  BatchRoutes routes = route_batch(*env_, c.txn, c.main, dbs_, request, monitor);
  monitor.done += batch().size();
  apply_changes(c, monitor);
  for (size_t j = 0; j < inserted.size(); j++) {
    std::optional<uint32_t> slot = find_slot(c.txn, dbs_.ids, inserted[j]);
    if (!slot) corrupt("an item just stored has no slot");
    insertions[j].slot = *slot;
    c.inserted_slots.push_back(*slot);
  }

  const uint32_t target = target_trees(options_, meta, c.graph);
  if (target == 0) {
    // Nothing left: an empty forest.
    c.txn.clear(dbs_.nodes);
    meta.roots.clear();
    meta.node_count = 0;
    return;
  }
  // Shrink on request, or when the default has fallen well (20%) below the
  // current count: small swings in size must not churn trees. Dropped trees
  // go whole, unedited.
  const uint32_t current = static_cast<uint32_t>(meta.roots.size());
  bool shrink = target < current && (options_.trees != 0 || (current - target) * 5 > target || target == 1);
  const std::vector<MDB_val>* directory = routes.directory.empty() ? nullptr : &routes.directory;
  while (shrink && meta.roots.size() > target) editor.drop_last_tree(directory);
  editor.apply(routes, removals, insertions, c.threads, monitor);

  if (target > meta.roots.size()) {
    float max_norm = 0;
    std::vector<BuildItem> items = collect_items(c.txn, dbs_, meta, &max_norm);
    ForestParams params;
    params.trees = target - static_cast<uint32_t>(meta.roots.size());
    params.bucket_capacity = meta.bucket_capacity;
    params.seed = tree_seed(c.seed, static_cast<uint32_t>(meta.roots.size()) + 0x10000u);
    params.threads = c.threads;
    monitor.enter(BuildPhase::Trees, uint64_t(items.size()) * params.trees);
    std::vector<BuiltTree> forest = build_forest(geometry, items, params, monitor);
    items.clear();
    write_trees(c.txn, dbs_, meta, forest, monitor);
  }
}

// Brings the graph in step with the items just committed (graph_update.h).
// The metadata is already written: the recall curve is measured by searching.
void BuildJob::update_graph_of(Context& c, bool incremental, BuildMonitor& monitor) {
  if (!c.graph) {
    if (c.graph_record) drop_graph(c.txn, c.main, dbs_);
    return;
  }
  GraphContext g{c.txn, c.main, dbs_, c.meta, *c.kernels, c.seed, c.threads};
  const uint32_t degree = options_.graph_degree
                              ? options_.graph_degree
                              : (c.graph_record ? c.graph_record->degree : default_graph_degree(c.meta.dimensions));
  GraphRecord record;
  if (incremental && c.graph_record && c.graph_record->degree == degree) {
    record = update_graph(g, *c.graph_record, c.removed_slots, c.inserted_slots, monitor);
  } else {
    record = rebuild_graph(g, degree, monitor);
  }
  store_graph_record(g, record, monitor);
}

BuildReport BuildJob::run_in(Transaction& txn, BuildMonitor& monitor) {
  Context c(txn);
  c.main = env_->main_database();
  MDB_val value;
  if (!c.txn.get(c.main, meta_key(dbs_.index), &value)) {
    fail(ErrorCode::NotAnIndex, "the index was dropped");
  }
  c.meta = decode_index_meta(value.mv_data, value.mv_size);
  if (c.meta.instance != instance_) fail(ErrorCode::NotAnIndex, "the index was dropped");
  check_meta_counts(c.txn, dbs_, c.meta);
  c.kernels = &active_kernels();
  c.seed = options_.has_seed ? options_.seed : (c.meta.roots.empty() ? kDefaultSeed : c.meta.seed);
  c.threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());

  bool capacity_changes = options_.bucket_capacity && options_.bucket_capacity != c.meta.bucket_capacity;
  if (options_.bucket_capacity) c.meta.bucket_capacity = options_.bucket_capacity;
  const bool incremental = !options_.rebuild && !capacity_changes && !c.meta.roots.empty();
  c.graph_record = read_graph_record(c.txn, c.main, dbs_.index);
  c.graph = options_.graph.value_or(c.graph_record.has_value() || c.meta.roots.empty());
  if (!keyed_changes_.empty()) resolve_keys(c);
  if (incremental) {
    update_forest(c, monitor);
  } else {
    monitor.enter(BuildPhase::Applying, batch().size());
    apply_changes(c, monitor);
    rebuild_forest(c, monitor);
  }
  c.meta.seed = c.seed;
  c.txn.put(c.main, meta_key(dbs_.index), encode_index_meta(c.meta));
  update_graph_of(c, incremental, monitor);
  check_cancelled(monitor);

  BuildReport report;
  report.items = c.meta.item_count;
  report.trees = static_cast<uint32_t>(c.meta.roots.size());
  report.nodes = c.meta.node_count;
  report.incremental = incremental;
  report.graph = c.graph;
  return report;
}

BuildReport BuildJob::run(BuildMonitor& monitor) {
  // A build is a pure function of the committed state and the changes it
  // holds, so a full map just makes it start over.
  return write_growing_map(*env_, [&](Transaction& txn) { return run_in(txn, monitor); });
}

std::vector<BuildReport> run_together(const std::vector<BuildJob*>& jobs, BuildMonitor& monitor) {
  std::vector<BuildReport> reports;
  if (jobs.empty()) return reports;
  for (BuildJob* job : jobs) {
    if (job->environment() != jobs[0]->environment()) {
      fail(ErrorCode::InvalidArgument, "indexes built together must live in the same file");
    }
  }
  return write_growing_map(*jobs[0]->environment(), [&](Transaction& txn) {
    std::vector<BuildReport> out;
    for (BuildJob* job : jobs) out.push_back(job->run_in(txn, monitor));
    return out;
  });
}

}  // namespace arroy
