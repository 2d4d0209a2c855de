#include "forest_router.h"

#include <utility>

#include "bytes.h"
#include "errors.h"
#include "rng.h"
#include "snapshot.h"

namespace arroy {

namespace {

// A big batch visits most split nodes of every tree. Then one pass of a
// cursor over the whole nodes database (sequential pages, no B-tree descent)
// is several times cheaper than looking each node up: it pays off once the
// batch's routes would make at least a fraction of that many lookups. A route
// makes about log2(items / bucket) of them per tree; 8 is a low estimate.
constexpr uint64_t kLookupsPerRoute = 8;

// The stored bytes of every node, by id: addresses in one read snapshot,
// shared read-only by the routing threads while that snapshot stays open.
std::vector<MDB_val> scan_nodes(const Transaction& txn, const IndexDatabases& dbs, uint32_t node_count) {
  std::vector<MDB_val> nodes(node_count, MDB_val{0, nullptr});
  Cursor cursor(txn, dbs.nodes);
  uint32_t id;
  MDB_val value;
  for (bool more = cursor.first(&id, &value); more; more = cursor.next(&id, &value)) {
    if (id >= node_count) corrupt("node " + std::to_string(id) + " is beyond the node count");
    nodes[id] = value;
  }
  return nodes;
}

class TreeRouter {
 public:
  // Reads nodes from `directory` when given, else through `view`.
  TreeRouter(SnapshotView* view, const std::vector<MDB_val>* directory, const RoutingRequest& request, size_t tree)
      : view_(view), directory_(directory), request_(request), root_(request.meta->roots[tree]),
        rng_(tree_seed(request.seed, static_cast<uint32_t>(tree))) {}

  RoutesOfTree route(const BuildMonitor& monitor) {
    RoutesOfTree routes;
    // Removals: follow the side the planes give first; the rare item not in
    // the bucket that path ends in is searched for depth-first.
    const std::vector<BuildItem>& removals = *request_.removals;
    std::vector<uint32_t> at;
    routes.removal_paths.assign(removals.size(), std::vector<uint32_t>{root_});
    descend_together(removals, at, &routes.removal_paths, monitor, [](const NodeView&, float m) { return m > 0; });
    for (size_t i = 0; i < removals.size(); i++) {
      if (holds(this->node(at[i]), removals[i].slot)) continue;
      std::vector<uint32_t>& path = routes.removal_paths[i];
      path.assign(1, root_);
      if (!find(path, removals[i])) corrupt("slot " + std::to_string(removals[i].slot) + " is missing from a tree");
    }
    // Insertions, as at build time: the sign of the margin, and a coin on the
    // plane itself or at a random split.
    descend_together(*request_.insertions, routes.insertion_buckets, nullptr, monitor,
                     [this](const NodeView&, float m) { return m == 0 ? rng_.coin() : m > 0; });
    return routes;
  }

 private:
  NodeView node(uint32_t id) {
    if (!directory_) return view_->node(id);
    if (id >= directory_->size() || !(*directory_)[id].mv_data) corrupt("tree node " + std::to_string(id) + " is missing");
    const MDB_val& bytes = (*directory_)[id];
    return decode_node(bytes.mv_data, bytes.mv_size, request_.meta->dimensions);
  }

  void prefetch(uint32_t id) const {
    if (!directory_ || id >= directory_->size()) return;
    const MDB_val& bytes = (*directory_)[id];
    const char* p = static_cast<const char*>(bytes.mv_data);
    for (size_t line = 0; p && line < bytes.mv_size && line < 1024; line += 64) __builtin_prefetch(p + line);
  }

  float margin(const NodeView& node, const BuildItem& item) const {
    return split_margin(*request_.geometry, node.normal, node.offset, node.extra, item);
  }

  // Depth-first from path.back(): the side the planes give first, the other
  // only if the item is not there (a tie at build time, a random split, or
  // kernels that round differently from the ones that built the tree).
  bool find(std::vector<uint32_t>& path, const BuildItem& item) {
    if (path.size() > size_t(request_.meta->node_count) + 1) corrupt("tree nodes form a cycle");
    NodeView node = this->node(path.back());
    if (node.tag == NodeTag::Bucket) return holds(node, item.slot);
    uint32_t first = node.left, second = node.right;
    if (node.tag == NodeTag::Split && margin(node, item) > 0) std::swap(first, second);
    for (uint32_t child : {first, second}) {
      path.push_back(child);
      if (find(path, item)) return true;
      path.pop_back();
    }
    return false;
  }

  static bool holds(const NodeView& bucket, uint32_t slot) {
    if (bucket.tag != NodeTag::Bucket) return false;
    for (uint32_t i = 0; i < bucket.count; i++) {
      uint32_t stored = load_u32(bucket.ids, i);
      if (stored == slot) return true;
      if (stored > slot) break;  // buckets are sorted
    }
    return false;
  }

  // Walks every item from the root to a bucket, all of them one level per
  // round: each item's next node is prefetched a whole round before it is
  // read, so the memory latency of thousands of walks overlaps instead of
  // adding up. right(node, margin) picks the side at a split (margin 0 at a
  // random split). at[i] ends at item i's bucket; paths, when given, get
  // every node on the way appended.
  template <typename Right>
  void descend_together(const std::vector<BuildItem>& items, std::vector<uint32_t>& at,
                        std::vector<std::vector<uint32_t>>* paths, const BuildMonitor& monitor, Right right) {
    at.assign(items.size(), root_);
    std::vector<uint32_t> walking(items.size());
    for (uint32_t i = 0; i < walking.size(); i++) walking[i] = i;
    for (uint64_t round = 0; !walking.empty(); round++) {
      if (round > request_.meta->node_count) corrupt("tree nodes form a cycle");
      size_t still = 0;
      for (uint32_t i : walking) {
        NodeView node = this->node(at[i]);
        if (node.tag == NodeTag::Bucket) continue;
        const float m = node.tag == NodeTag::Split ? margin(node, items[i]) : 0;
        at[i] = right(node, m) ? node.right : node.left;
        if (paths) (*paths)[i].push_back(at[i]);
        prefetch(at[i]);
        walking[still++] = i;
      }
      walking.resize(still);
      check_cancelled(monitor);
    }
  }

  SnapshotView* view_;
  const std::vector<MDB_val>* directory_;
  const RoutingRequest& request_;
  uint32_t root_;
  Rng rng_;
};

bool shows_same_forest(const IndexMeta& a, const IndexMeta& b) {
  return a.instance == b.instance && a.node_count == b.node_count && a.roots == b.roots;
}

}  // namespace

BatchRoutes route_batch(const Environment& env, const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs,
                        const RoutingRequest& request, BuildMonitor& monitor) {
  const size_t trees = request.meta->roots.size();
  BatchRoutes routes;
  routes.trees.resize(trees);
  routes.snapshot = std::make_unique<Transaction>();
  bool snapshot_usable = false;
  try {
    routes.snapshot->begin(env, false);
    SnapshotView view;
    view.attach(*routes.snapshot, main, dbs);
    snapshot_usable = shows_same_forest(view.meta(), *request.meta);
  } catch (const Error&) {
    // Not in the last commit (created by this very transaction).
  }
  if (!snapshot_usable) {
    routes.snapshot.reset();
    SnapshotView view;
    view.attach(txn, main, dbs);
    for (size_t tree = 0; tree < trees; tree++) {
      routes.trees[tree] = TreeRouter(&view, nullptr, request, tree).route(monitor);
    }
    return routes;
  }
  const uint64_t routes_per_tree = request.removals->size() + request.insertions->size();
  if (routes_per_tree * trees * kLookupsPerRoute >= request.meta->node_count) {
    routes.directory = scan_nodes(*routes.snapshot, dbs, request.meta->node_count);
    run_parallel(trees, request.threads, monitor, [&](size_t tree) {
      routes.trees[tree] = TreeRouter(nullptr, &routes.directory, request, tree).route(monitor);
    });
    return routes;
  }
  routes.snapshot.reset();
  run_parallel(trees, request.threads, monitor, [&](size_t tree) {
    Transaction own;  // LMDB read snapshots belong to one thread at a time
    own.begin(env, false);
    SnapshotView view;
    view.attach(own, main, dbs);
    routes.trees[tree] = TreeRouter(&view, nullptr, request, tree).route(monitor);
  });
  return routes;
}

}  // namespace arroy
