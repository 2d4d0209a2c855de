// Best-first search over a neighbour graph, shared by the build (which links
// each new item to what a search finds for it) and by queries.
//
// The search keeps the `ef` closest allowed items found so far and expands the
// closest unexpanded item until every candidate left is farther than the
// worst of those: the "search layer" of HNSW on a single layer, whose entry
// points come from the forest instead of upper layers. A beam narrower than
// the results asked for (ef < keep) still returns the `keep` closest items
// it scored: a walk cheaper than ef = k, for recall asks that ef = k exceeds.
//
// A Space supplies, for a slot below slot_count():
//   const void* locate(uint32_t slot)  where the slot's item is, starting to fetch it into cache
//   float distance(const void* where)  the query's distance to the located item; +inf when the
//                                      slot holds no live item
//   template <class F> void links(uint32_t slot, F visit)   calls visit(neighbour) for each stored edge
//   bool allowed(uint32_t slot)        whether the slot may be a result (filters)
//   uint32_t slot_count()
// The neighbours of an expanded item are all located before any is scored,
// so that their memory loads overlap instead of following one another.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "graph/visited_set.h"

namespace arroy {

struct GraphHit {
  float distance;
  uint32_t slot;
  bool operator<(const GraphHit& o) const { return distance < o.distance || (distance == o.distance && slot < o.slot); }
};

struct BeamScratch {
  VisitedSet visited;
  std::vector<GraphHit> frontier;  // min-heap by distance (via greater)
  std::vector<GraphHit> best;      // max-heap by distance: the results
  std::vector<GraphHit> beam;      // max-heap by distance: the ef closest, when ef < keep
  std::vector<uint32_t> batch;     // neighbours of the expanded item not yet visited
  std::vector<const void*> where;  // and where their items are
};

struct BeamResult {
  uint64_t scored = 0;  // distances computed
};

// Searches from `seeds` (slots, duplicates allowed) with a beam of `ef`,
// keeping the max(ef, keep) closest allowed items scored; `skip` (a slot, or
// UINT32_MAX) is never reached, which lets calibration query with an item as
// if it were not stored. Leaves the results in scratch.best, sorted ascending.
template <class Space>
BeamResult beam_search(Space& space, const uint32_t* seeds, size_t seed_count, uint32_t ef, uint32_t keep,
                       uint32_t skip, BeamScratch& scratch) {
  BeamResult result;
  ef = std::max<uint32_t>(ef, 1);
  const uint32_t results = std::max(ef, keep);
  auto& frontier = scratch.frontier;
  auto& best = scratch.best;
  // The ef closest allowed items, which decide what is worth expanding: the
  // results themselves unless the beam is narrower than they are.
  const bool narrow = ef < results;
  auto& beam = narrow ? scratch.beam : best;
  auto& batch = scratch.batch;
  auto& where = scratch.where;
  frontier.clear();
  best.clear();
  scratch.beam.clear();
  const uint32_t slots = space.slot_count();
  scratch.visited.begin(slots);
  if (skip < slots) scratch.visited.insert(skip);
  auto greater = [](const GraphHit& a, const GraphHit& b) { return b < a; };
  auto keep_closest = [](std::vector<GraphHit>& heap, uint32_t size, GraphHit hit) {
    if (heap.size() >= size) {
      if (!(hit < heap.front())) return;
      std::pop_heap(heap.begin(), heap.end());
      heap.back() = hit;
    } else {
      heap.push_back(hit);
    }
    std::push_heap(heap.begin(), heap.end());
  };

  auto offer = [&](uint32_t slot, float d) {
    if (!(d < INFINITY)) return;  // no live item (a stale edge), or not a number
    const GraphHit hit{d, slot};
    const bool allowed = space.allowed(slot);
    if (narrow && allowed) keep_closest(best, results, hit);
    if (beam.size() >= ef && !(hit < beam.front())) return;
    frontier.push_back(hit);
    std::push_heap(frontier.begin(), frontier.end(), greater);
    if (allowed) keep_closest(beam, ef, hit);
  };

  for (size_t i = 0; i < seed_count; i++) {
    uint32_t slot = seeds[i];
    if (slot >= slots || !scratch.visited.insert(slot)) continue;
    result.scored++;
    offer(slot, space.distance(space.locate(slot)));
  }

  while (!frontier.empty()) {
    std::pop_heap(frontier.begin(), frontier.end(), greater);
    const GraphHit top = frontier.back();
    frontier.pop_back();
    if (beam.size() >= ef && beam.front() < top) break;
    batch.clear();
    where.clear();
    space.links(top.slot, [&](uint32_t next) {
      if (next < slots && scratch.visited.insert(next)) {
        batch.push_back(next);
        where.push_back(space.locate(next));
      }
    });
    for (size_t i = 0; i < batch.size(); i++) offer(batch[i], space.distance(where[i]));
    result.scored += batch.size();
  }
  std::sort(best.begin(), best.end());
  return result;
}

}  // namespace arroy
