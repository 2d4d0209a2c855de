#include "forest/tree_builder.h"

#include <algorithm>

#include "defaults.h"
#include "errors.h"
#include "forest/thread_pool.h"
#include "records/node_records.h"

namespace arroy {

namespace {

class TreeBuilder {
 public:
  TreeBuilder(const Geometry& g, const std::vector<BuildItem>& items, uint32_t capacity, uint64_t seed,
              BuildMonitor& monitor)
      : g_(g), items_(items), capacity_(capacity), rng_(seed), monitor_(monitor) {}

  BuiltTree build() {
    std::vector<uint32_t> order(items_.size());
    for (uint32_t i = 0; i < order.size(); i++) order[i] = i;
    tree_.nodes.push_back(BuiltNode{});
    // An explicit stack: a lopsided data set must not overflow the thread's stack.
    struct Task {
      uint32_t node, begin, end;
    };
    std::vector<Task> stack{{0, 0, static_cast<uint32_t>(order.size())}};
    while (!stack.empty()) {
      check_cancelled(monitor_);
      Task task = stack.back();
      stack.pop_back();
      uint32_t* subset = order.data() + task.begin;
      size_t size = task.end - task.begin;
      if (size <= capacity_) {
        make_bucket(task.node, subset, size);
        continue;
      }
      uint32_t middle = task.begin + split(task.node, subset, size);
      uint32_t left = static_cast<uint32_t>(tree_.nodes.size());
      tree_.nodes.push_back(BuiltNode{});
      tree_.nodes.push_back(BuiltNode{});
      tree_.nodes[task.node].left = left;
      tree_.nodes[task.node].right = left + 1;
      stack.push_back({left + 1, middle, task.end});
      stack.push_back({left, task.begin, middle});
    }
    return std::move(tree_);
  }

 private:
  void make_bucket(uint32_t node, const uint32_t* subset, size_t size) {
    BuiltNode& n = tree_.nodes[node];
    n.tag = NodeTag::Bucket;
    n.first = static_cast<uint32_t>(tree_.ids.size());
    n.count = static_cast<uint32_t>(size);
    for (size_t i = 0; i < size; i++) tree_.ids.push_back(items_[subset[i]].slot);
    std::sort(tree_.ids.begin() + n.first, tree_.ids.end());
    monitor_.done.fetch_add(size, std::memory_order_relaxed);
  }

  // Partitions subset into [left | right] and returns the size of the left part.
  size_t split(uint32_t node, uint32_t* subset, size_t size) {
    Plane plane;
    bool have_plane = false;
    size_t right_count = 0;
    std::vector<uint8_t> right(size);
    for (int attempt = 0; attempt < kSplitAttempts; attempt++) {
      Plane candidate;
      if (!choose_plane(g_, items_, subset, size, rng_, &candidate)) continue;
      right_count = assign_sides(candidate, subset, size, right.data());
      plane = std::move(candidate);
      have_plane = true;
      if (imbalance(right_count, size) <= kAcceptImbalance) break;
    }
    BuiltNode& n = tree_.nodes[node];
    if (!have_plane || imbalance(right_count, size) > kRandomSplitImbalance) {
      // No plane separates these items (duplicates, or a degenerate cloud):
      // halve them at random so the tree still shrinks towards buckets.
      n.tag = NodeTag::RandomSplit;
      for (size_t i = size - 1; i > 0; i--) std::swap(subset[i], subset[rng_.below(static_cast<uint32_t>(i + 1))]);
      return size / 2;
    }
    n.tag = NodeTag::Split;
    n.offset = plane.offset;
    n.extra = plane.extra;
    n.first = static_cast<uint32_t>(tree_.normals.size() / g_.dimensions);
    tree_.normals.insert(tree_.normals.end(), plane.normal.begin(), plane.normal.end());
    // Stable partition: left items first, then right ones.
    scratch_.assign(subset, subset + size);
    size_t l = 0, r = size - right_count;
    for (size_t i = 0; i < size; i++) subset[right[i] ? r++ : l++] = scratch_[i];
    return size - right_count;
  }

  static double imbalance(size_t right_count, size_t size) {
    return double(std::max(right_count, size - right_count)) / double(size);
  }

  size_t assign_sides(const Plane& plane, const uint32_t* subset, size_t size, uint8_t* right) {
    size_t count = 0;
    for (size_t i = 0; i < size; i++) {
      float m = item_margin(g_, plane, items_[subset[i]]);
      // Items exactly on the plane go either way, so duplicates of one point still spread.
      bool side = m > 0 || (m == 0 && rng_.coin());
      right[i] = side;
      count += side;
    }
    return count;
  }

  const Geometry& g_;
  const std::vector<BuildItem>& items_;
  uint32_t capacity_;
  Rng rng_;
  BuildMonitor& monitor_;
  BuiltTree tree_;
  std::vector<uint32_t> scratch_;
};

}  // namespace

BuiltTree build_tree(const Geometry& geometry, const std::vector<BuildItem>& items, uint32_t bucket_capacity,
                     uint64_t seed, BuildMonitor& monitor) {
  return TreeBuilder(geometry, items, bucket_capacity, seed, monitor).build();
}

std::vector<BuiltTree> build_forest(const Geometry& geometry, const std::vector<BuildItem>& items,
                                    const ForestParams& params, BuildMonitor& monitor) {
  std::vector<BuiltTree> forest(params.trees);
  run_parallel(params.trees, params.threads, monitor, [&](size_t t) {
    TreeBuilder builder(geometry, items, params.bucket_capacity, tree_seed(params.seed, static_cast<uint32_t>(t)),
                        monitor);
    forest[t] = builder.build();
  });
  return forest;
}

void append_built_node(ByteWriter& w, const BuiltTree& tree, uint32_t local, const std::vector<uint32_t>& ids,
                       uint32_t dimensions) {
  const BuiltNode& n = tree.nodes[local];
  switch (n.tag) {
    case NodeTag::Bucket:
      append_bucket(w, tree.ids.data() + n.first, n.count);
      break;
    case NodeTag::Split:
      append_split(w, ids[n.left], ids[n.right], n.offset, n.extra, tree.normals.data() + size_t(n.first) * dimensions,
                   dimensions);
      break;
    case NodeTag::RandomSplit:
      append_random_split(w, ids[n.left], ids[n.right]);
      break;
  }
}

}  // namespace arroy
