#include "graph/graph_update.h"

#include <algorithm>
#include <cmath>

#include "defaults.h"
#include "errors.h"
#include "forest/rng.h"
#include "graph/calibration.h"
#include "graph/graph_builder.h"
#include "graph/memory_space.h"
#include "items/read_view.h"
#include "items/slots.h"
#include "records/bytes.h"
#include "search/graph_search.h"
#include "storage/cursor.h"

namespace arroy {

namespace {

// Every live item by slot, as views into the transaction's pages: valid
// until the transaction next writes.
std::vector<GraphItem> items_by_slot(const GraphContext& c) {
  std::vector<GraphItem> items(c.meta.slot_count);
  for_each_live_slot(c.txn, c.dbs, c.meta,
                     [&](uint32_t slot, const SlotView& view) { items[slot] = {view.values, view.norm}; });
  return items;
}

GraphSpace space_of(const GraphContext& c) {
  return GraphSpace(c.kernels, c.meta.metric, c.meta.dimensions, c.meta.max_norm);
}

// Measures the recall curve of the graph the builder holds, with `queries`
// held out of it, through the forest already written in c.txn (the real
// query path's seeds) and the same walk a search takes.
void measure_held_out(const GraphContext& c, const GraphBuilder& builder, const std::vector<CalibrationQuery>& queries,
                      const std::vector<bool>& held, GraphRecord& record, BuildMonitor& monitor) {
  ReadView view;
  view.attach(c.txn, c.main, c.dbs);  // the trees and metadata of this build (no graph record yet)
  BeamScratch scratch;
  std::vector<uint32_t> seeds;
  CalibrationSearch search = [&](const CalibrationQuery& q, uint32_t ef) {
    const GraphItem& item = builder.items()[q.slot];
    forest_seeds(view, c.kernels, QueryVector{item.values, item.norm}, std::max<uint32_t>(ef, 16), seeds);
    if (builder.entry() != kNoSlot) seeds.push_back(builder.entry());
    // The metric's own distance, as a search ranks; held-out slots are not linked yet.
    // (the builder's copies, whose cosine rows are unit length: metric_distance over them is the same cosine).
    auto space = memory_space(builder.rows(), builder.links(), [&](size_t slot, const GraphItem& other) {
      return held[slot] ? INFINITY
                        : metric_distance(c.kernels, c.meta.metric, item.values, item.norm, other.values, other.norm,
                                          c.meta.dimensions);
    });
    CalibrationAnswer answer;
    answer.scored = beam_search(space, seeds.data(), seeds.size(), ef, kCalibrationK, kNoSlot, scratch).scored;
    for (size_t i = 0; i < scratch.best.size() && i < kCalibrationK; i++) answer.slots.push_back(scratch.best[i].slot);
    return answer;
  };
  measure_recall_curve(queries, search, record, monitor);
}

GraphParams params_of(const GraphContext& c, uint32_t degree) {
  GraphParams params;
  params.degree = degree;
  params.build_ef = std::max(kGraphBuildEf, degree);
  params.threads = c.threads;
  return params;
}

}  // namespace

std::optional<GraphRecord> read_graph_record(const Transaction& txn, MDB_dbi main, IndexId index) {
  MDB_val value;
  if (!txn.get(main, graph_key(index), &value)) return std::nullopt;
  return decode_graph_record(value.mv_data, value.mv_size);
}

void drop_graph(Transaction& txn, MDB_dbi main, const IndexDatabases& dbs) {
  txn.clear(dbs.links);
  txn.del(main, graph_key(dbs.index));
}

GraphRecord rebuild_graph(const GraphContext& c, uint32_t degree, BuildMonitor& monitor) {
  std::vector<GraphItem> items = items_by_slot(c);
  std::vector<uint32_t> order;
  for (uint32_t slot = 0; slot < items.size(); slot++) {
    if (items[slot].values) order.push_back(slot);
  }
  // A random order, so that the first items (the graph's long edges) spread
  // over the whole data set rather than follow the order items were added.
  Rng rng(c.seed ^ 0x9a7full);
  for (size_t i = order.size(); i > 1; i--) std::swap(order[i - 1], order[rng.below(static_cast<uint32_t>(i))]);

  // The calibration queries are linked last: the curve is measured before,
  // on a graph that holds none of them, so that they are queries the index
  // has never seen, like a user's (their exact answers exclude them too).
  monitor.enter(BuildPhase::Calibrating, calibration_steps());
  const size_t sample = std::min<size_t>(kCalibrationSamples, order.size() / 10);
  std::vector<CalibrationQuery> queries = calibration_queries(c.kernels, c.meta.metric, c.meta.dimensions, items,
                                                              c.seed, sample, true, c.threads, monitor);
  std::vector<bool> held(items.size(), false);
  for (const CalibrationQuery& q : queries) held[q.slot] = true;
  std::stable_partition(order.begin(), order.end(), [&](uint32_t slot) { return !held[slot]; });
  const auto first_held = order.end() - static_cast<std::ptrdiff_t>(queries.size());

  const GraphSpace space = space_of(c);
  GraphBuilder builder(space, std::move(items), {}, kNoSlot, params_of(c, degree));
  monitor.enter(BuildPhase::Graph, order.size());
  builder.insert(std::vector<uint32_t>(order.begin(), first_held), monitor);
  GraphRecord record;
  record.degree = degree;
  if (!queries.empty()) {
    monitor.enter(BuildPhase::Calibrating, calibration_steps() - 1);  // the exact answers are done
    measure_held_out(c, builder, queries, held, record, monitor);
    monitor.enter(BuildPhase::Graph, queries.size());
    builder.insert(std::vector<uint32_t>(first_held, order.end()), monitor);
  }
  builder.finish(monitor);

  c.txn.clear(c.dbs.links);
  const auto& links = builder.links();
  for (uint32_t slot = 0; slot < links.slot_count(); slot++) {
    if (!links.empty(slot)) c.txn.put(c.dbs.links, slot, encode_links(links.list(slot)), MDB_APPEND);
  }
  record.entry = builder.entry() == kNoSlot ? kNoGraphEntry : builder.entry();
  return record;
}

GraphRecord update_graph(const GraphContext& c, GraphRecord record, const std::vector<uint32_t>& removed,
                         const std::vector<uint32_t>& inserted, BuildMonitor& monitor) {
  std::vector<GraphItem> items = items_by_slot(c);
  std::vector<std::vector<uint32_t>> links(items.size());
  std::vector<uint32_t> beyond;  // records of slots the slab edits gave back (the slot count shrank)
  {
    Cursor cursor(c.txn, c.dbs.links);
    uint32_t slot;
    MDB_val value;
    for (bool more = cursor.first(&slot, &value); more; more = cursor.next(&slot, &value)) {
      if (slot >= links.size()) {
        beyond.push_back(slot);
        continue;
      }
      LinkList list = decode_links(value.mv_data, value.mv_size, record.degree);
      links[slot].resize(list.count);
      for (uint32_t i = 0; i < list.count; i++) links[slot][i] = load_u32(list.bytes, i);
    }
  }
  const GraphSpace space = space_of(c);
  uint32_t entry = record.entry == kNoGraphEntry ? kNoSlot : record.entry;
  GraphBuilder builder(space, std::move(items), std::move(links), entry, params_of(c, record.degree));
  monitor.enter(BuildPhase::Graph, inserted.size());
  std::vector<uint32_t> relink = builder.remove(removed, monitor);
  relink.insert(relink.end(), inserted.begin(), inserted.end());
  builder.insert(relink, monitor);
  builder.finish(monitor);

  const auto& edited = builder.links();
  const auto& changed = builder.changed();
  for (uint32_t slot = 0; slot < edited.slot_count(); slot++) {
    if (!changed[slot]) continue;
    if (edited.empty(slot)) {
      c.txn.del(c.dbs.links, slot);
    } else {
      c.txn.put(c.dbs.links, slot, encode_links(edited.list(slot)));
    }
  }
  for (uint32_t slot : beyond) c.txn.del(c.dbs.links, slot);
  record.entry = builder.entry() == kNoSlot ? kNoGraphEntry : builder.entry();
  record.changes += static_cast<uint32_t>(std::min<uint64_t>(0xFFFFFFFFull - record.changes, removed.size() + inserted.size()));
  return record;
}

void store_graph_record(const GraphContext& c, GraphRecord record, BuildMonitor& monitor) {
  const bool stale = record.curve.empty() || double(record.changes) > kRecalibrateFraction * c.meta.item_count;
  if (stale && record.entry != kNoGraphEntry) {
    record.curve.clear();
    record.changes = 0;
    // The search below reads the record (degree, entry) through a ReadView.
    c.txn.put(c.main, graph_key(c.dbs.index), encode_graph_record(record));
    monitor.enter(BuildPhase::Calibrating, calibration_steps());
    std::vector<GraphItem> items = items_by_slot(c);
    // An incremental build cannot take items back out of the graph: each
    // query is the item itself, which the walk never reaches (a little
    // easier than a query the index has never seen).
    std::vector<CalibrationQuery> queries = calibration_queries(
        c.kernels, c.meta.metric, c.meta.dimensions, items, c.seed, kCalibrationSamples, false, c.threads, monitor);
    ReadView view;
    view.attach(c.txn, c.main, c.dbs);
    BeamScratch scratch;
    CalibrationSearch search = [&](const CalibrationQuery& q, uint32_t ef) {
      const GraphItem& item = items[q.slot];
      CalibrationAnswer answer;
      answer.scored = graph_search(view, c.kernels, QueryVector{item.values, item.norm}, GraphSearch{ef, kCalibrationK, nullptr, q.slot},
                                   scratch);
      for (size_t i = 0; i < scratch.best.size() && i < kCalibrationK; i++) answer.slots.push_back(scratch.best[i].slot);
      return answer;
    };
    measure_recall_curve(queries, search, record, monitor);
  }
  c.txn.put(c.main, graph_key(c.dbs.index), encode_graph_record(record));
}

}  // namespace arroy
