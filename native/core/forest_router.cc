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
    routes.removal_paths.reserve(request_.removals->size());
    for (const BuildItem& item : *request_.removals) {
      std::vector<uint32_t> path{root_};
      if (!find(path, item)) corrupt("slot " + std::to_string(item.slot) + " is missing from a tree");
      routes.removal_paths.push_back(std::move(path));
      check_cancelled(monitor);
    }
    routes.insertion_buckets.reserve(request_.insertions->size());
    for (const BuildItem& item : *request_.insertions) {
      routes.insertion_buckets.push_back(descend(item));
      check_cancelled(monitor);
    }
    return routes;
  }

 private:
  NodeView node(uint32_t id) {
    if (!directory_) return view_->node(id);
    if (id >= directory_->size() || !(*directory_)[id].mv_data) corrupt("tree node " + std::to_string(id) + " is missing");
    const MDB_val& bytes = (*directory_)[id];
    return decode_node(bytes.mv_data, bytes.mv_size, request_.meta->dimensions);
  }

  // Starts loading both children while the margin decides between them: a
  // route is a chain of dependent reads, and this overlaps two of them.
  void prefetch_children(const NodeView& node) const {
    if (!directory_ || node.tag == NodeTag::Bucket) return;
    for (uint32_t child : {node.left, node.right}) {
      if (child >= directory_->size()) continue;
      const MDB_val& bytes = (*directory_)[child];
      const char* p = static_cast<const char*>(bytes.mv_data);
      for (size_t line = 0; p && line < bytes.mv_size && line < 1024; line += 64) __builtin_prefetch(p + line);
    }
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
    if (node.tag == NodeTag::Bucket) {
      for (uint32_t i = 0; i < node.count; i++) {
        uint32_t slot = load_u32(node.ids, i);
        if (slot == item.slot) return true;
        if (slot > item.slot) break;  // buckets are sorted
      }
      return false;
    }
    prefetch_children(node);
    uint32_t first = node.left, second = node.right;
    if (node.tag == NodeTag::Split && margin(node, item) > 0) std::swap(first, second);
    for (uint32_t child : {first, second}) {
      path.push_back(child);
      if (find(path, item)) return true;
      path.pop_back();
    }
    return false;
  }

  // As at build time: the sign of the margin, and a coin on the plane itself
  // or at a random split.
  uint32_t descend(const BuildItem& item) {
    uint32_t id = root_;
    for (uint64_t steps = 0;; steps++) {
      if (steps > request_.meta->node_count) corrupt("tree nodes form a cycle");
      NodeView node = this->node(id);
      if (node.tag == NodeTag::Bucket) return id;
      prefetch_children(node);
      float m = node.tag == NodeTag::Split ? margin(node, item) : 0;
      bool right = m == 0 ? rng_.coin() : m > 0;
      id = right ? node.right : node.left;
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
