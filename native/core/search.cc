#include "search.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "bytes.h"
#include "defaults.h"
#include "errors.h"

namespace arroy {

namespace {

// Unique candidate ids, in the order found. Open addressing over id + 1 so
// that every u32 id, 0 and 2^32-1 included, has a non-zero slot value.
class CandidateSet {
 public:
  void reset(size_t expected) {
    size_t capacity = 64;
    while (capacity < expected * 2) capacity *= 2;
    slots_.assign(capacity, 0);
    ids_.clear();
  }
  void insert(uint32_t id) {
    if ((ids_.size() + 1) * 2 > slots_.size()) grow();
    if (place(slots_, uint64_t(id) + 1)) ids_.push_back(id);
  }
  size_t size() const { return ids_.size(); }
  std::vector<uint32_t>& ids() { return ids_; }

 private:
  static bool place(std::vector<uint64_t>& slots, uint64_t value) {
    size_t mask = slots.size() - 1;
    size_t i = (value * 0x9e3779b97f4a7c15ull) >> 20 & mask;
    while (slots[i] != 0) {
      if (slots[i] == value) return false;
      i = (i + 1) & mask;
    }
    slots[i] = value;
    return true;
  }
  void grow() {
    std::vector<uint64_t> bigger(slots_.size() * 2, 0);
    for (uint32_t id : ids_) place(bigger, uint64_t(id) + 1);
    slots_.swap(bigger);
  }
  std::vector<uint64_t> slots_;
  std::vector<uint32_t> ids_;
};

struct QueueEntry {
  float priority;
  uint32_t node;
  bool operator<(const QueueEntry& o) const { return priority < o.priority; }  // max-heap on priority
};

bool closer(const Hit& a, const Hit& b) { return a.distance < b.distance || (a.distance == b.distance && a.id < b.id); }

// Scratch reused across queries on the same thread, so a query allocates nothing
// once warm.
struct Scratch {
  std::vector<QueueEntry> queue;
  CandidateSet candidates;
  std::vector<Hit> best;
};

}  // namespace

std::vector<Hit> search_forest(const Transaction& txn, MDB_dbi items, MDB_dbi nodes, const IndexMeta& meta,
                               const Kernels& kernels, const SearchRequest& request) {
  thread_local Scratch scratch;
  if (meta.roots.empty() || request.k == 0) return {};
  const uint32_t dims = meta.dimensions;
  const uint64_t search_k = request.search_k ? request.search_k : default_search_k(request.k, meta.roots.size());
  const uint64_t wanted = std::max<uint64_t>(search_k, request.k);

  auto& queue = scratch.queue;
  auto& candidates = scratch.candidates;
  queue.clear();
  candidates.reset(std::min<uint64_t>(wanted, meta.item_count) + kMaxBucketCapacity);
  for (uint32_t root : meta.roots) queue.push_back({std::numeric_limits<float>::infinity(), root});
  std::make_heap(queue.begin(), queue.end());

  // A valid forest has fewer than 2 nodes per item per tree; more visits than
  // that means the stored nodes form a cycle.
  const uint64_t visit_limit = (2ull * meta.item_count + 2) * meta.roots.size();
  uint64_t visits = 0;
  while (!queue.empty() && candidates.size() < wanted) {
    std::pop_heap(queue.begin(), queue.end());
    QueueEntry top = queue.back();
    queue.pop_back();
    if (++visits > visit_limit) corrupt("tree nodes form a cycle");

    MDB_val value;
    if (!txn.get(nodes, top.node, &value)) {
      corrupt("tree node " + std::to_string(top.node) + " is missing");
    }
    NodeView node = decode_node(value.mv_data, value.mv_size, dims);
    switch (node.tag) {
      case NodeTag::Bucket:
        for (uint32_t i = 0; i < node.count; i++) candidates.insert(load_u32(node.ids, i));
        break;
      case NodeTag::Split: {
        // The near side keeps the parent's priority; the far side is ranked
        // by how close the query is to the plane, across all trees at once.
        float margin = node.offset + kernels.dot(node.normal, request.query, dims);
        if (std::isnan(margin)) corrupt("split node " + std::to_string(top.node) + " holds a non-finite plane");
        queue.push_back({std::min(top.priority, margin), node.right});
        std::push_heap(queue.begin(), queue.end());
        queue.push_back({std::min(top.priority, -margin), node.left});
        std::push_heap(queue.begin(), queue.end());
        break;
      }
      case NodeTag::RandomSplit:
        queue.push_back({top.priority, node.right});
        std::push_heap(queue.begin(), queue.end());
        queue.push_back({top.priority, node.left});
        std::push_heap(queue.begin(), queue.end());
        break;
    }
  }

  // Score candidates in key order: consecutive lookups then mostly stay on the
  // cursor's current page instead of descending the B-tree again.
  std::vector<uint32_t>& ids = candidates.ids();
  std::sort(ids.begin(), ids.end());
  auto& best = scratch.best;
  best.clear();
  Cursor cursor(txn, items);
  for (uint32_t id : ids) {
    MDB_val value;
    if (!cursor.find(id, &value)) {
      corrupt("item " + std::to_string(id) + " is in a tree but not stored");
    }
    ItemView item = decode_item(value.mv_data, value.mv_size, dims);
    float d = metric_distance(kernels, meta.metric, request.query, request.query_norm, item.values, item.norm, dims);
    if (std::isnan(d)) corrupt("item " + std::to_string(id) + " holds a non-finite value");
    Hit hit{id, d};
    if (best.size() < request.k) {
      best.push_back(hit);
      std::push_heap(best.begin(), best.end(), closer);
    } else if (closer(hit, best.front())) {
      std::pop_heap(best.begin(), best.end(), closer);
      best.back() = hit;
      std::push_heap(best.begin(), best.end(), closer);
    }
  }
  std::sort_heap(best.begin(), best.end(), closer);
  return best;
}

}  // namespace arroy
