#include "forest/router.h"

#include <algorithm>
#include <utility>

#include "records/bytes.h"
#include "errors.h"
#include "forest/rng.h"
#include "forest/thread_pool.h"
#include "storage/cursor.h"
#include "items/read_view.h"

namespace arroy {

namespace {

// A big batch visits most split nodes of every tree. Then one pass of a
// cursor over the whole nodes database (sequential pages, no B-tree descent)
// is several times cheaper than looking each node up: it pays off once the
// batch's routes would make at least a fraction of that many lookups. A route
// makes about log2(items / bucket) of them per tree; 8 is a low estimate.
constexpr uint64_t kLookupsPerRoute = 8;

// The stored bytes of every node, by id: addresses in the committed snapshot,
// shared read-only by the routing threads while `snapshot` (which pins those
// pages) stays open. The id range is cut into runs scanned on all cores, each
// through its own read transaction: they all show the same commit, since the
// caller holds the write lock.
std::vector<MDB_val> scan_nodes(const Environment& env, const IndexDatabases& dbs, uint32_t node_count,
                                unsigned threads, BuildMonitor& monitor) {
  std::vector<MDB_val> nodes(node_count, MDB_val{0, nullptr});
  constexpr uint32_t kRun = 16384;
  const size_t runs = (size_t(node_count) + kRun - 1) / kRun;
  run_parallel(runs, threads, monitor, [&](size_t run) {
    const uint32_t begin = static_cast<uint32_t>(run * kRun);
    const uint32_t end = static_cast<uint32_t>(std::min<uint64_t>(uint64_t(begin) + kRun, node_count));
    Transaction own;
    own.begin(env, false);
    Cursor cursor(own, dbs.nodes);
    uint32_t id = begin;
    MDB_val value;
    bool more = cursor.seek(&id, &value);
    for (; more && id < end; more = cursor.next(&id, &value)) nodes[id] = value;
    if (more && run + 1 == runs) corrupt("node " + std::to_string(id) + " is beyond the node count");
  });
  return nodes;
}

class TreeRouter {
 public:
  // Reads nodes from `directory` when given, else through `view`.
  TreeRouter(ReadView* view, const std::vector<MDB_val>* directory, const RoutingRequest& request, size_t tree)
      : view_(view), directory_(directory), request_(request), root_(request.meta->roots[tree]),
        rng_(tree_seed(request.seed, static_cast<uint32_t>(tree))) {}

  RoutesOfTree route(const BuildMonitor& monitor) {
    RoutesOfTree routes;
    // Removals: follow the side the planes give first; the rare item not in
    // the bucket that path ends in is searched for depth-first.
    const std::vector<BuildItem>& removals = *request_.removals;
    std::vector<uint32_t> at;
    routes.path_starts.reserve(removals.size() + 1);
    routes.path_starts.push_back(0);
    descend_together(removals, at, true, monitor, [](float m) { return m > 0; },
                     [&](size_t i, std::vector<uint32_t>& path) {
                       if (!holds(this->node(at[i]), removals[i].slot)) {
                         path.assign(1, root_);
                         if (!find(path, removals[i])) {
                           corrupt("slot " + std::to_string(removals[i].slot) + " is missing from a tree");
                         }
                       }
                       routes.path_nodes.insert(routes.path_nodes.end(), path.begin(), path.end());
                       routes.path_starts.push_back(routes.path_nodes.size());
                     });
    // Insertions, as at build time: the sign of the margin, and a coin on the
    // plane itself or at a random split.
    descend_together(*request_.insertions, routes.insertion_buckets, false, monitor,
                     [this](float m) { return m == 0 ? rng_.coin() : m > 0; },
                     [](size_t, std::vector<uint32_t>&) {});
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
  // Iterative: a damaged file can chain nodes deeper than any stack. A tree
  // visits each node once; more visits mean a damaged file whose nodes are
  // shared, which could otherwise make the search exponential.
  bool find(std::vector<uint32_t>& path, const BuildItem& item) {
    struct Frame {
      uint32_t first, second;
      int tried;
    };
    // frames[k] belongs to the split path[k]; a bucket at the end has none.
    std::vector<Frame> frames;
    for (uint64_t visits = 0;; visits++) {
      if (visits > request_.meta->node_count) corrupt("tree nodes are shared or form a cycle");
      NodeView node = this->node(path.back());
      if (node.tag == NodeTag::Bucket) {
        if (holds(node, item.slot)) return true;
      } else {
        Frame frame{node.left, node.right, 0};
        if (node.tag == NodeTag::Split && margin(node, item) > 0) std::swap(frame.first, frame.second);
        frames.push_back(frame);
      }
      for (;;) {  // on to the next child not yet tried, backing up as needed
        if (frames.empty()) return false;
        if (path.size() > frames.size()) path.pop_back();
        Frame& deepest = frames.back();
        if (deepest.tried == 2) {
          frames.pop_back();
          continue;
        }
        path.push_back(deepest.tried++ == 0 ? deepest.first : deepest.second);
        break;
      }
    }
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

  // Walks every item from the root to a bucket, a block of items at a time
  // (whose trails are reused, not allocated per item), one level per round:
  // the node each item reads next is prefetched a round ahead, so the memory
  // latency of the block's walks overlaps instead of adding up. right(margin) picks the side at a split (margin 0 at a random
  // split). at[i] ends at item i's bucket; done(i, path) is called for every
  // item in order, with the nodes on its way when `trace` is set.
  template <typename Right, typename Done>
  void descend_together(const std::vector<BuildItem>& items, std::vector<uint32_t>& at, bool trace,
                        const BuildMonitor& monitor, Right right, Done done) {
    constexpr size_t kBlock = 32;
    at.assign(items.size(), root_);
    trails_.resize(kBlock);  // reused from block to block: no allocation per item
    std::vector<uint32_t> walking;
    for (size_t block = 0; block < items.size(); block += kBlock) {
      const size_t end = std::min(items.size(), block + kBlock);
      walking.clear();
      for (size_t i = block; i < end; i++) {
        walking.push_back(static_cast<uint32_t>(i));
        trails_[i - block].assign(1, root_);
      }
      for (uint64_t round = 0; !walking.empty(); round++) {
        if (round > request_.meta->node_count) corrupt("tree nodes form a cycle");
        size_t still = 0;
        for (uint32_t i : walking) {
          NodeView node = this->node(at[i]);
          if (node.tag == NodeTag::Bucket) continue;
          const float m = node.tag == NodeTag::Split ? margin(node, items[i]) : 0;
          at[i] = right(m) ? node.right : node.left;
          if (trace) trails_[i - block].push_back(at[i]);
          prefetch(at[i]);
          walking[still++] = i;
        }
        walking.resize(still);
      }
      for (size_t i = block; i < end; i++) done(i, trails_[i - block]);
      check_cancelled(monitor);
    }
  }

  ReadView* view_;
  const std::vector<MDB_val>* directory_;
  const RoutingRequest& request_;
  uint32_t root_;
  Rng rng_;
  std::vector<std::vector<uint32_t>> trails_;
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
    ReadView view;
    view.attach(*routes.snapshot, main, dbs);
    snapshot_usable = shows_same_forest(view.meta(), *request.meta);
  } catch (const Error&) {
    // Not in the last commit (created by this very transaction).
  }
  if (!snapshot_usable) {
    routes.snapshot.reset();
    ReadView view;
    view.attach(txn, main, dbs);
    for (size_t tree = 0; tree < trees; tree++) {
      routes.trees[tree] = TreeRouter(&view, nullptr, request, tree).route(monitor);
    }
    return routes;
  }
  const uint64_t routes_per_tree = request.removals->size() + request.insertions->size();
  if (routes_per_tree * trees * kLookupsPerRoute >= request.meta->node_count) {
    routes.directory = scan_nodes(env, dbs, request.meta->node_count, request.threads, monitor);
    run_parallel(trees, request.threads, monitor, [&](size_t tree) {
      routes.trees[tree] = TreeRouter(nullptr, &routes.directory, request, tree).route(monitor);
    });
    return routes;
  }
  routes.snapshot.reset();
  run_parallel(trees, request.threads, monitor, [&](size_t tree) {
    Transaction own;  // LMDB read snapshots belong to one thread at a time
    own.begin(env, false);
    ReadView view;
    view.attach(own, main, dbs);
    routes.trees[tree] = TreeRouter(&view, nullptr, request, tree).route(monitor);
  });
  return routes;
}

}  // namespace arroy
