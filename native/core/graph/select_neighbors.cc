#include "graph/select_neighbors.h"

#include <algorithm>

namespace arroy {

std::vector<uint32_t> select_neighbors(const GraphSpace& space, const std::vector<GraphItem>& items, uint32_t self,
                                       const std::vector<GraphHit>& candidates, uint32_t degree) {
  std::vector<uint32_t> kept;
  kept.reserve(degree);
  for (const GraphHit& c : candidates) {
    if (kept.size() >= degree) break;
    if (c.slot == self || !items[c.slot].values) continue;
    bool covered = false;
    for (uint32_t k : kept) {
      if (k == c.slot || space.between(items[c.slot], items[k]) < c.distance) {
        covered = true;
        break;
      }
    }
    if (!covered) kept.push_back(c.slot);
  }
  return kept;
}

std::vector<uint32_t> prune_neighbors(const GraphSpace& space, const std::vector<GraphItem>& items, uint32_t self,
                                      const uint32_t* neighbors, size_t count, uint32_t degree) {
  // A slot whose item is gone keeps no edges (a damaged file can leave edges
  // stored for a free slot; its null vector must never reach a kernel).
  if (!items[self].values) return {};
  std::vector<GraphHit> ranked;
  ranked.reserve(count);
  for (size_t i = 0; i < count; i++) {
    const uint32_t n = neighbors[i];
    if (n != self && items[n].values) ranked.push_back({space.between(items[self], items[n]), n});
  }
  std::sort(ranked.begin(), ranked.end());
  ranked.erase(std::unique(ranked.begin(), ranked.end(),
                           [](const GraphHit& a, const GraphHit& b) { return a.slot == b.slot; }),
               ranked.end());
  return select_neighbors(space, items, self, ranked, degree);
}

}  // namespace arroy
