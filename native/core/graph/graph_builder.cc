#include "graph/graph_builder.h"

#include <algorithm>
#include <unordered_set>

#include "defaults.h"
#include "errors.h"
#include "forest/thread_pool.h"
#include "graph/beam_search.h"
#include "graph/memory_space.h"
#include "graph/select_neighbors.h"

namespace arroy {


GraphBuilder::GraphBuilder(const GraphSpace& space, std::vector<GraphItem> items,
                           std::vector<std::vector<uint32_t>> links, uint32_t entry, GraphParams params)
    : items_(std::move(items)),
      copy_(items_, space.dimensions(), space.metric() == Metric::Cosine),
      space_(space.over_unit_rows()),
      entry_(entry),
      params_(params) {
  links_ = LinkTable(items_.size(), slack() + 1);
  for (size_t slot = 0; slot < links.size() && slot < items_.size(); slot++) links_.assign(slot, links[slot]);
  changed_.assign(items_.size(), false);
  if (entry_ != kNoSlot && (entry_ >= items_.size() || !items_[entry_].values)) entry_ = kNoSlot;
}

std::vector<uint32_t> GraphBuilder::remove(const std::vector<uint32_t>& removed, BuildMonitor& monitor) {
  if (removed.empty()) return {};
  std::vector<bool> gone(items_.size(), false);
  for (uint32_t slot : removed) {
    if (slot < gone.size()) gone[slot] = true;
  }
  // The old edges of a removed slot, which its slot's new item must not inherit.
  std::vector<std::vector<uint32_t>> old(removed.size());
  for (size_t i = 0; i < removed.size(); i++) {
    if (removed[i] < links_.slot_count()) old[i] = links_.list(removed[i]), links_.clear(removed[i]);
  }
  std::vector<int32_t> old_of(items_.size(), -1);
  for (size_t i = 0; i < removed.size(); i++) {
    if (removed[i] < old_of.size()) old_of[removed[i]] = static_cast<int32_t>(i);
  }
  // Every list that points at a removed slot is rebuilt from its own edges
  // plus the edges of the removed items it pointed at: the removed item's
  // neighbours are the nearest replacements there are.
  std::vector<uint32_t> repair;
  for (uint32_t u = 0; u < links_.slot_count(); u++) {
    if (gone[u] || links_.empty(u)) continue;
    if (!items_[u].values) {
      // Edges stored for a free slot (only a damaged file has them): dropped,
      // never repaired or relinked, since there is no vector to link.
      links_.clear(u);
      changed_[u] = true;
      continue;
    }
    for (uint32_t n : links_[u]) {
      if (n >= gone.size() || gone[n] || !items_[n].values) {
        repair.push_back(u);
        break;
      }
    }
  }
  run_parallel(repair.size(), params_.threads, monitor, [&](size_t r) {
    const uint32_t u = repair[r];
    std::vector<uint32_t> pool;
    for (uint32_t n : links_[u]) {
      if (n >= gone.size()) continue;
      if (gone[n]) {
        for (uint32_t m : old[old_of[n]]) {
          if (m < gone.size() && !gone[m] && items_[m].values && m != u) pool.push_back(m);
        }
      } else if (items_[n].values) {
        pool.push_back(n);
      }
    }
    links_.assign(u, prune_neighbors(space_, items_, u, pool.data(), pool.size(), params_.degree));
    if ((r & 255) == 0) check_cancelled(monitor);
  });
  for (uint32_t u : repair) changed_[u] = true;
  for (uint32_t slot : removed) {
    if (slot < changed_.size()) changed_[slot] = true;
  }
  if (entry_ != kNoSlot && gone[entry_]) entry_ = kNoSlot;
  if (entry_ == kNoSlot) {
    // Any linked item will do: queries start from the forest's leaves.
    for (uint32_t u = 0; u < links_.slot_count() && entry_ == kNoSlot; u++) {
      if (!gone[u] && items_[u].values && !links_.empty(u)) entry_ = u;
    }
  }
  std::vector<uint32_t> orphans;
  for (uint32_t u : repair) {
    if (links_.empty(u) && u != entry_) orphans.push_back(u);
  }
  return orphans;
}

void GraphBuilder::insert(const std::vector<uint32_t>& slots, BuildMonitor& monitor) {
  size_t at = 0;
  uint64_t linked = 0;
  for (size_t slot = 0; slot < links_.slot_count(); slot++) linked += links_.empty(slot) ? 0 : 1;
  if (entry_ == kNoSlot && !slots.empty()) {
    entry_ = slots[0];
    links_.clear(entry_);
    changed_[entry_] = true;
    at = 1;
    linked = std::max<uint64_t>(linked, 1);
  }
  std::vector<uint32_t> batch;
  while (at < slots.size()) {
    const size_t size = std::max<size_t>(1, static_cast<size_t>(double(linked) * kGraphBatchFraction));
    const size_t end = std::min(slots.size(), at + size);
    batch.assign(slots.begin() + at, slots.begin() + end);
    link_batch(batch, monitor);
    linked += batch.size();
    monitor.done += batch.size();
    at = end;
    check_cancelled(monitor);
    monitor.tick_if_due();
  }
}

void GraphBuilder::link_batch(const std::vector<uint32_t>& batch, BuildMonitor& monitor) {
  std::vector<std::vector<uint32_t>> chosen(batch.size());
  scratch_.resize(std::max(1u, params_.threads));
  auto search_one = [&](size_t i, unsigned worker) {
    BeamScratch& scratch = scratch_[worker];
    const uint32_t slot = batch[i];
    const GraphItem& query = items_[slot];
    auto view = memory_space(copy_, links_, [&](size_t, const GraphItem& item) { return space_.between(query, item); });
    uint32_t seeds[1] = {entry_};
    beam_search(view, seeds, 1, params_.build_ef, params_.build_ef, slot, scratch);
    chosen[i] = select_neighbors(space_, items_, slot, scratch.best, params_.degree);
  };
  if (batch.size() == 1) {
    search_one(0, 0);
  } else {
    run_parallel_workers(batch.size(), params_.threads, monitor, search_one);
  }
  for (size_t i = 0; i < batch.size(); i++) {
    links_.assign(batch[i], chosen[i]);
    changed_[batch[i]] = true;
  }
  add_reverse_edges(batch, monitor);
}

// Each neighbour of a new item links back to it. A list may grow to half
// again its degree before it is cut back by the selection rule, so the cost
// of cutting is shared by several new edges.
void GraphBuilder::add_reverse_edges(const std::vector<uint32_t>& batch, BuildMonitor& monitor) {
  std::vector<std::pair<uint32_t, uint32_t>> edges;  // (target, new item), in batch order per target
  for (uint32_t slot : batch) {
    for (uint32_t n : links_[slot]) edges.push_back({n, slot});
  }
  std::stable_sort(edges.begin(), edges.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<size_t> starts;
  for (size_t i = 0; i < edges.size(); i++) {
    if (i == 0 || edges[i].first != edges[i - 1].first) starts.push_back(i);
  }
  const uint32_t slack = this->slack();
  auto extend = [&](size_t g) {
    const size_t end = g + 1 < starts.size() ? starts[g + 1] : edges.size();
    const uint32_t target = edges[starts[g]].first;
    for (size_t e = starts[g]; e < end; e++) {
      const uint32_t from = edges[e].second;
      const LinkSpan list = links_[target];
      if (std::find(list.begin(), list.end(), from) != list.end()) continue;
      links_.push_back(target, from);  // room for slack + 1 (the constructor)
      const LinkSpan grown = links_[target];
      if (grown.size() > slack) {
        links_.assign(target, prune_neighbors(space_, items_, target, grown.begin(), grown.size(), params_.degree));
      }
    }
  };
  if (starts.size() < 64) {
    for (size_t g = 0; g < starts.size(); g++) extend(g);
  } else {
    run_parallel(starts.size(), params_.threads, monitor, extend);
  }
  for (size_t g = 0; g < starts.size(); g++) changed_[edges[starts[g]].first] = true;
}

uint32_t GraphBuilder::slack() const { return params_.degree + std::max<uint32_t>(1, params_.degree / 2); }

void GraphBuilder::finish(BuildMonitor& monitor) {
  std::vector<uint32_t> long_lists;
  for (uint32_t u = 0; u < links_.slot_count(); u++) {
    if (links_[u].size() > params_.degree) long_lists.push_back(u);
  }
  run_parallel(long_lists.size(), params_.threads, monitor, [&](size_t i) {
    const uint32_t u = long_lists[i];
    const LinkSpan list = links_[u];
    links_.assign(u, prune_neighbors(space_, items_, u, list.begin(), list.size(), params_.degree));
  });
  for (uint32_t u : long_lists) changed_[u] = true;
}

}  // namespace arroy
