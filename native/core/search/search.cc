#include "search/search.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "defaults.h"
#include "distance/metric.h"
#include "errors.h"
#include "limits.h"
#include "records/bytes.h"
#include "graph/calibration.h"
#include "records/slot_records.h"
#include "search/graph_search.h"

namespace arroy {

namespace {

// Unique candidate slots. Slots are dense, so a bitmap over them is both the
// cheapest membership test and, scanned in order, a free sort.
class CandidateSet {
 public:
  void begin(uint32_t slot_count) {
    size_t words = (size_t(slot_count) + 63) / 64;
    if (bits_.size() < words) bits_.resize(words, 0);
    if (!clean_) std::fill(bits_.begin(), bits_.end(), 0);
    clean_ = false;
    words_ = words;
    slots_.clear();
  }
  // Caller guarantees slot < slot_count.
  void insert(uint32_t slot) {
    uint64_t& word = bits_[slot >> 6];
    uint64_t bit = uint64_t(1) << (slot & 63);
    if (!(word & bit)) {
      word |= bit;
      slots_.push_back(slot);
    }
  }
  size_t size() const { return slots_.size(); }
  // The candidates in ascending order; leaves the bitmap clear for the next query.
  std::vector<uint32_t>& sorted_and_clear() {
    if (slots_.size() * 16 > words_) {
      slots_.clear();
      for (size_t w = 0; w < words_; w++) {
        for (uint64_t word = bits_[w]; word; word &= word - 1) {
          slots_.push_back(static_cast<uint32_t>(w * 64 + __builtin_ctzll(word)));
        }
        bits_[w] = 0;
      }
    } else {
      for (uint32_t slot : slots_) bits_[slot >> 6] = 0;
      std::sort(slots_.begin(), slots_.end());
    }
    clean_ = true;
    return slots_;
  }

 private:
  std::vector<uint64_t> bits_;
  size_t words_ = 0;
  bool clean_ = true;  // false while a query runs (or if one threw midway)
  std::vector<uint32_t> slots_;
};

struct QueueEntry {
  float priority;
  uint32_t node;
  bool operator<(const QueueEntry& o) const { return priority < o.priority; }  // max-heap on priority
};

bool closer(const Hit& a, const Hit& b) { return a.distance < b.distance || (a.distance == b.distance && a.id < b.id); }

// Scratch reused across queries on the same thread, so a warm query allocates
// nothing but its result.
struct Scratch {
  std::vector<QueueEntry> queue;
  CandidateSet candidates;
  std::vector<const uint8_t*> addresses;
  std::vector<Hit> best;
  BeamScratch beam;
};

void push(std::vector<QueueEntry>& queue, float priority, uint32_t node) {
  queue.push_back({priority, node});
  std::push_heap(queue.begin(), queue.end());
}

// Scores `slots` (ascending) exactly and keeps the best k. Two passes: resolve
// every address, then score while prefetching a few candidates ahead, so that
// the memory latency of scattered vectors overlaps instead of adding up.
std::vector<Hit> score_slots(ReadView& view, const Kernels& kernels, const QueryVector& query, uint32_t k,
                             const std::vector<uint32_t>& slots, Scratch& scratch) {
  const IndexMeta& meta = view.meta();
  const uint32_t dims = meta.dimensions;
  auto& addresses = scratch.addresses;
  addresses.clear();
  for (uint32_t slot : slots) addresses.push_back(view.slot_address(slot));
  const size_t slot_bytes = slot_size(dims);
  constexpr size_t kPrefetchDistance = 8;
  auto prefetch = [&](const uint8_t* p) {
    for (size_t line = 0; line < slot_bytes && line < 1024; line += 64) __builtin_prefetch(p + line);
  };
  for (size_t i = 0; i < kPrefetchDistance && i < addresses.size(); i++) prefetch(addresses[i]);

  auto& best = scratch.best;
  best.clear();
  for (size_t i = 0; i < addresses.size(); i++) {
    if (i + kPrefetchDistance < addresses.size()) prefetch(addresses[i + kPrefetchDistance]);
    SlotView item = read_live_slot(addresses[i], dims);
    float d = metric_distance(kernels, meta.metric, query.values, query.norm, item.values, item.norm, dims);
    if (std::isnan(d)) corrupt("item " + std::to_string(item.item_id) + " holds a non-finite value");
    Hit hit{item.item_id, d};
    if (best.size() < k) {
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

}  // namespace

std::vector<Hit> search_index(ReadView& view, const Kernels& kernels, const QueryVector& query,
                              const SearchRequest& request) {
  thread_local Scratch scratch;
  SearchStats local;
  SearchStats& report = request.stats ? *request.stats : local;
  report = SearchStats{};
  const IndexMeta& meta = view.meta();
  if (!(request.recall >= 0 && request.recall <= 1)) fail(ErrorCode::InvalidArgument, "recall must be a number from 0 to 1");
  if (request.ef > kMaxSearchEf) fail(ErrorCode::InvalidArgument, "ef must be at most " + std::to_string(kMaxSearchEf));
  if (request.k == 0) return {};
  // Filters are resolved to this snapshot's slots once per commit (filter.h, where.h).
  std::shared_ptr<const SlotFilter> resolved =
      request.filter ? request.filter->resolve(view.transaction(), view.databases(), meta)
                     : nullptr;
  if (request.where) {
    std::shared_ptr<const SlotFilter> matching =
        request.where->resolve(view.transaction(), view.main_database(), view.databases(), meta);
    if (resolved) {
      std::vector<uint64_t> both(matching->bits);
      for (size_t i = 0; i < both.size(); i++) both[i] &= i < resolved->bits.size() ? resolved->bits[i] : 0;
      resolved = slot_filter_of_bits(std::move(both));
    } else {
      resolved = std::move(matching);
    }
  }
  const SlotFilter* filter = resolved.get();
  const uint64_t search_k = request.search_k ? request.search_k : default_search_k(request.k, meta.roots.size());
  const uint64_t wanted = std::max<uint64_t>(search_k, request.k);
  const GraphRecord* graph = view.graph();
  const bool has_graph = graph && graph->entry != kNoGraphEntry;

  SearchStrategy strategy = request.strategy;
  uint32_t ef = 0;
  if (strategy == SearchStrategy::Graph && !graph) {
    fail(ErrorCode::InvalidArgument, "the index has no neighbour graph: build it with graph: true");
  }
  if (strategy == SearchStrategy::Graph && !has_graph) return {};  // a graph with no items yet
  if (filter && filter->slots.empty()) {
    // Nothing can match: no strategy need run.
    report.strategy = SearchStrategy::Exact;
    return {};
  }
  // searchK is the forest's own knob: asking for it asks for the forest.
  const bool graph_wanted = has_graph && !request.search_k &&
                            (strategy == SearchStrategy::Auto || strategy == SearchStrategy::Graph);
  if (graph_wanted) {
    const double recall = request.recall > 0 ? request.recall : kDefaultRecall;
    ef = request.ef ? request.ef : ef_for_recall(*graph, recall, request.k);
    if (strategy == SearchStrategy::Auto) {
      strategy = SearchStrategy::Graph;
      if (!request.ef && recall >= 1) {
        strategy = SearchStrategy::Exact;
      } else if (filter) {
        // The graph walks past excluded items to reach allowed ones: about
        // items / allowed times the distances of an unfiltered search.
        const double graph_cost = graph_search_cost(*graph, ef) * double(meta.item_count) /
                                  std::max<double>(1, double(filter->slots.size()));
        if (double(filter->slots.size()) <= graph_cost) strategy = SearchStrategy::Exact;
      }
    }
  } else if (strategy == SearchStrategy::Auto) {
    strategy = filter ? choose_strategy(filter->slots.size(), meta.item_count, wanted) : SearchStrategy::Forest;
  }
  if (strategy == SearchStrategy::Graph) {
    report.strategy = SearchStrategy::Graph;
    report.ef = ef;
    report.scored = graph_search(view, kernels, query, GraphSearch{ef, request.k, filter, 0xFFFFFFFFu}, scratch.beam);
    std::vector<Hit> hits;
    const auto& best = scratch.beam.best;
    for (size_t i = 0; i < best.size() && hits.size() < request.k; i++) {
      hits.push_back({view.live_slot(best[i].slot).item_id, best[i].distance});
    }
    std::sort(hits.begin(), hits.end(), closer);
    return hits;
  }
  if (strategy == SearchStrategy::Exact) {
    report.strategy = SearchStrategy::Exact;
    if (filter) {
      report.scored = filter->slots.size();
      return score_slots(view, kernels, query, request.k, filter->slots, scratch);
    }
    std::vector<uint32_t> every;
    every.reserve(meta.item_count);
    for_each_live_slot(view.transaction(), view.databases(), meta,
                       [&](uint32_t slot, const SlotView&) { every.push_back(slot); });
    report.scored = every.size();
    return score_slots(view, kernels, query, request.k, every, scratch);
  }
  if (meta.roots.empty()) return {};
  const uint32_t dims = meta.dimensions;

  auto& queue = scratch.queue;
  auto& candidates = scratch.candidates;
  queue.clear();
  candidates.begin(meta.slot_count);
  for (uint32_t root : meta.roots) queue.push_back({std::numeric_limits<float>::infinity(), root});
  std::make_heap(queue.begin(), queue.end());

  // Each node is visited at most once per tree in a valid forest; more visits
  // than nodes means the stored nodes form a cycle.
  uint64_t visits = 0;
  while (!queue.empty() && candidates.size() < wanted) {
    std::pop_heap(queue.begin(), queue.end());
    QueueEntry top = queue.back();
    queue.pop_back();
    if (++visits > meta.node_count) corrupt("tree nodes form a cycle");

    NodeView node = view.node(top.node);
    switch (node.tag) {
      case NodeTag::Bucket:
        for (uint32_t i = 0; i < node.count; i++) {
          uint32_t slot = load_u32(node.ids, i);
          if (slot >= meta.slot_count) corrupt("a bucket refers to a slot beyond the slot count");
          if (!filter || filter->allows(slot)) candidates.insert(slot);
        }
        break;
      case NodeTag::Split: {
        // The near side keeps the parent's priority; the far side is ranked
        // by how close the query is to the plane, across all trees at once.
        float margin = node.offset + kernels.dot(node.normal, query.values, dims);
        if (std::isnan(margin)) corrupt("split node " + std::to_string(top.node) + " holds a non-finite plane");
        push(queue, std::min(top.priority, margin), node.right);
        push(queue, std::min(top.priority, -margin), node.left);
        break;
      }
      case NodeTag::RandomSplit:
        push(queue, top.priority, node.right);
        push(queue, top.priority, node.left);
        break;
    }
  }

  std::vector<uint32_t>& slots = candidates.sorted_and_clear();
  report.scored = slots.size();
  return score_slots(view, kernels, query, request.k, slots, scratch);
}

}  // namespace arroy
