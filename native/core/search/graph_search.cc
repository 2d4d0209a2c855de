#include "search/graph_search.h"

#include <cmath>
#include <string>

#include "distance/metric.h"
#include "errors.h"
#include "records/bytes.h"
#include "records/slot_records.h"

namespace arroy {

namespace {

// The stored index seen from one query.
class QuerySpace {
 public:
  QuerySpace(ReadView& view, const Kernels& kernels, const QueryVector& query, const SlotFilter* filter)
      : view_(view),
        kernels_(kernels),
        query_(query),
        filter_(filter),
        metric_(view.meta().metric),
        dims_(view.meta().dimensions),
        bytes_(slot_size(dims_)) {}

  uint32_t slot_count() const { return view_.meta().slot_count; }
  const void* locate(uint32_t slot) {
    const uint8_t* p = view_.slot_address(slot);
    for (size_t line = 0; line < bytes_ && line < 512; line += 64) __builtin_prefetch(p + line);
    return p;
  }
  float distance(const void* where) {
    SlotView item = read_slot(where, bytes_, 0, dims_, 1);
    if (!item.live) return INFINITY;  // an edge to a slot freed since
    float d = metric_distance(kernels_, metric_, query_.values, query_.norm, item.values, item.norm, dims_);
    if (std::isnan(d)) corrupt("item " + std::to_string(item.item_id) + " holds a non-finite value");
    return d;
  }
  template <class F>
  void links(uint32_t slot, F visit) {
    LinkList list = view_.links(slot);
    for (uint32_t i = 0; i < list.count; i++) visit(load_u32(list.bytes, i));
  }
  bool allowed(uint32_t slot) const { return !filter_ || filter_->allows(slot); }

 private:
  ReadView& view_;
  const Kernels& kernels_;
  QueryVector query_;
  const SlotFilter* filter_;
  Metric metric_;
  uint32_t dims_;
  size_t bytes_;
};

}  // namespace

void forest_seeds(ReadView& view, const Kernels& kernels, const QueryVector& query, uint32_t limit,
                  std::vector<uint32_t>& seeds) {
  seeds.clear();
  const IndexMeta& meta = view.meta();
  const size_t trees = meta.roots.size();
  for (size_t t = 0; t < trees && seeds.size() < limit; t++) {
    const size_t share = (limit - seeds.size() + (trees - t) - 1) / (trees - t);
    uint32_t id = meta.roots[t];
    // A path longer than the node count means the stored nodes form a cycle.
    for (uint32_t steps = 0;; steps++) {
      if (steps > meta.node_count) corrupt("tree nodes form a cycle");
      NodeView node = view.node(id);
      if (node.tag == NodeTag::Bucket) {
        for (uint32_t i = 0; i < node.count && i < share; i++) seeds.push_back(load_u32(node.ids, i));
        break;
      }
      if (node.tag == NodeTag::Split) {
        float margin = node.offset + kernels.dot(node.normal, query.values, meta.dimensions);
        if (std::isnan(margin)) corrupt("split node " + std::to_string(id) + " holds a non-finite plane");
        id = margin > 0 ? node.right : node.left;
      } else {
        id = node.left;
      }
    }
  }
  const GraphRecord* graph = view.graph();
  if (graph && graph->entry != kNoGraphEntry) seeds.push_back(graph->entry);
}

uint64_t graph_search(ReadView& view, const Kernels& kernels, const QueryVector& query, const GraphSearch& request,
                      BeamScratch& scratch) {
  thread_local std::vector<uint32_t> seeds;
  forest_seeds(view, kernels, query, std::max<uint32_t>(request.ef, 16), seeds);
  QuerySpace space(view, kernels, query, request.filter);
  return beam_search(space, seeds.data(), seeds.size(), request.ef, request.keep, request.skip, scratch).scored;
}

}  // namespace arroy
