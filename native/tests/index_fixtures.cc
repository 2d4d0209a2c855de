#include "index_fixtures.h"

#include <lmdb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "format.h"
#include "harness.h"
#include "items/index_databases.h"
#include "items/read_view.h"
#include "records/bytes.h"
#include "records/file_records.h"
#include "records/node_records.h"
#include "records/slot_records.h"
#include "records/u32_records.h"
#include "storage/cursor.h"
#include "storage/environment.h"
#include "storage/transaction.h"

namespace arroy_test {

// ---------------------------------------------------------------- items

Vectors random_items(std::mt19937_64& rng, uint32_t count, uint32_t dims) {
  Vectors items;
  items[0] = normal_vector(rng, dims);
  items[0xFFFFFFFFu] = normal_vector(rng, dims);
  while (items.size() < count) items[static_cast<uint32_t>(rng())] = normal_vector(rng, dims);
  return items;
}

void add_all(Index& index, const Vectors& items) {
  for (const auto& item : items) index.add(item.first, item.second.data(), item.second.size());
}

std::unique_ptr<Index> built_index(const std::string& path, Metric metric, const Vectors& items,
                                   const std::string& name) {
  const uint32_t dimensions = static_cast<uint32_t>(items.begin()->second.size());
  std::unique_ptr<Index> index = Index::open(path, create_options(dimensions, metric, name));
  add_all(*index, items);
  build(*index);
  return index;
}

// ---------------------------------------------------------------- reference

double reference_distance(Metric metric, const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, aa = 0, bb = 0, l1 = 0, l2 = 0;
  for (size_t i = 0; i < a.size(); i++) {
    double x = a[i], y = b[i];
    dot += x * y;
    aa += x * x;
    bb += y * y;
    l1 += std::fabs(x - y);
    l2 += (x - y) * (x - y);
  }
  switch (metric) {
    case Metric::Euclidean: return std::sqrt(l2);
    case Metric::Manhattan: return l1;
    case Metric::Cosine: return 1 - dot / (std::sqrt(aa) * std::sqrt(bb));
    case Metric::DotProduct: return -dot;
  }
  return 0;
}

namespace {

double tolerance(double d) { return 2e-4 * (1 + std::fabs(d)); }

}  // namespace

void check_exact_search(Index& index, Metric metric, const Vectors& items, const std::vector<float>& query,
                        uint32_t k) {
  std::vector<Hit> hits = index.search(query.data(), query.size(), {k, items.size() + 1});
  std::vector<std::pair<double, uint32_t>> ref;
  ref.reserve(items.size());
  for (const auto& item : items) ref.push_back({reference_distance(metric, query, item.second), item.first});
  std::sort(ref.begin(), ref.end());
  const size_t expect = std::min<size_t>(k, ref.size());
  if (!CHECK_EQ(hits.size(), expect)) return;
  std::set<uint32_t> seen;
  for (size_t i = 0; i < expect; i++) {
    CONTEXT("rank " << i);
    CHECK(seen.insert(hits[i].id).second);
    auto item = items.find(hits[i].id);
    if (!CHECK(item != items.end())) continue;
    const double truth = reference_distance(metric, query, item->second);
    CHECK_NEAR(hits[i].distance, truth, tolerance(truth));
    CHECK_NEAR(hits[i].distance, ref[i].first, tolerance(ref[i].first));
    if (i > 0) CHECK(hits[i - 1].distance < hits[i].distance ||
                     (hits[i - 1].distance == hits[i].distance && hits[i - 1].id < hits[i].id));
    bool tie_before = i > 0 && ref[i].first - ref[i - 1].first <= tolerance(ref[i].first);
    bool tie_after = i + 1 < ref.size() && ref[i + 1].first - ref[i].first <= tolerance(ref[i].first);
    if (!tie_before && !tie_after) CHECK_EQ(hits[i].id, ref[i].second);
  }
}

void check_gets(Index& index, const Vectors& items, const std::set<uint32_t>& absent) {
  std::vector<float> out;
  uint32_t wrong = 0;
  for (const auto& item : items) {
    if (!index.get(item.first, &out) || out != item.second) wrong++;
  }
  CHECK_EQ(wrong, 0u);
  for (uint32_t id : absent) {
    CONTEXT("absent id " << id);
    CHECK(!index.get(id, &out));
    CHECK(!index.search_by_id(id, {5, 0}).has_value());
  }
}

// ---------------------------------------------------------------- file checker

FileSummary check_file(const std::string& path, const std::string& name, bool read_only) {
  FileSummary summary;
  std::shared_ptr<arroy::Environment> env = arroy::Environment::open(path, {read_only, 0});
  const MDB_dbi main = env->main_database();
  arroy::Transaction txn;
  txn.begin(*env, false);

  MDB_val value;
  if (!CHECK(txn.get(main, std::string(arroy::kCatalogKey), &value))) return summary;
  std::vector<arroy::CatalogEntry> catalog = arroy::decode_catalog(value.mv_data, value.mv_size);
  const arroy::CatalogEntry* entry = nullptr;
  std::set<arroy::IndexId> ids_in_catalog;
  for (const arroy::CatalogEntry& e : catalog) {
    CHECK(ids_in_catalog.insert(e.index).second);
    if (e.name == name) entry = &e;
  }
  if (!CHECK(entry != nullptr)) return summary;
  const arroy::IndexId id = entry->index;
  // LMDB: a transaction sees only the database handles opened before it began.
  txn.abort();
  const arroy::IndexDatabases dbs = arroy::open_index_databases(*env, id);
  txn.begin(*env, false);
  arroy::ReadView view;
  view.attach(txn, main, dbs);
  const arroy::IndexMeta& meta = view.meta();
  summary.items = meta.item_count;
  summary.trees = static_cast<uint32_t>(meta.roots.size());
  summary.nodes = meta.node_count;

  // Slots: 1 = live (from an id record), 2 = listed free.
  std::vector<uint8_t> state(meta.slot_count, 0);
  uint32_t live = 0;
  {
    arroy::Cursor cursor(txn, dbs.ids);
    uint32_t item_id;
    for (bool ok = cursor.first(&item_id, &value); ok; ok = cursor.next(&item_id, &value)) {
      uint32_t slot = arroy::decode_u32(value.mv_data, value.mv_size, "id record");
      CONTEXT("item " << item_id << " slot " << slot);
      if (!CHECK(slot < meta.slot_count)) continue;
      CHECK_EQ(state[slot], 0);
      state[slot] = 1;
      arroy::SlotView s = view.live_slot(slot);
      CHECK_EQ(s.item_id, item_id);
      live++;
    }
  }
  CHECK_EQ(live, meta.item_count);
  CHECK_EQ(txn.entries(dbs.ids), uint64_t(meta.item_count));
  if (txn.get(main, arroy::free_slots_key(id), &value)) {
    std::vector<uint32_t> free = arroy::decode_u32_list(value.mv_data, value.mv_size, "free list");
    CHECK(!free.empty());  // absent when empty
    for (size_t i = 0; i < free.size(); i++) {
      CONTEXT("free slot " << free[i]);
      if (i > 0) CHECK(free[i - 1] < free[i]);
      if (!CHECK(free[i] < meta.slot_count)) continue;
      CHECK_EQ(state[free[i]], 0);
      state[free[i]] = 2;
    }
    // The high-water mark shrinks past free slots at the top.
    CHECK(free.back() + 1 < meta.slot_count);
  }
  for (uint32_t slot = 0; slot < meta.slot_count; slot++) {
    if (!CHECK(state[slot] != 0)) {
      std::printf("  slot %u is neither live nor free\n", slot);
      break;
    }
  }
  // Slabs: exactly those below the high-water mark, with live flags matching.
  {
    const uint32_t slabs = (meta.slot_count + meta.slots_per_slab - 1) / meta.slots_per_slab;
    CHECK_EQ(txn.entries(dbs.slabs), uint64_t(slabs));
    arroy::Cursor cursor(txn, dbs.slabs);
    uint32_t number, expected_number = 0;
    for (bool ok = cursor.first(&number, &value); ok; ok = cursor.next(&number, &value)) {
      CHECK_EQ(number, expected_number++);
      for (uint32_t position = 0; position < meta.slots_per_slab; position++) {
        uint64_t slot = uint64_t(number) * meta.slots_per_slab + position;
        arroy::SlotView s = arroy::read_slot(value.mv_data, value.mv_size, position, meta.dimensions,
                                             meta.slots_per_slab);
        if (slot < meta.slot_count) {
          CHECK_EQ(s.live, state[slot] == 1);
        } else {
          CHECK(!s.live);
        }
      }
    }
  }

  // The forest. Node ids need not be dense (builds that update trees in
  // place free some), but every stored node must be reachable.
  summary.stored_nodes = txn.entries(dbs.nodes);
  CHECK(summary.stored_nodes <= meta.node_count);
  std::vector<uint8_t> reached(meta.node_count, 0);
  std::vector<uint32_t> times(meta.slot_count, 0);
  uint32_t reached_count = 0;
  for (size_t tree = 0; tree < meta.roots.size(); tree++) {
    CONTEXT("tree " << tree);
    std::fill(times.begin(), times.end(), 0);
    std::vector<uint32_t> stack{meta.roots[tree]};
    while (!stack.empty()) {
      uint32_t node_id = stack.back();
      stack.pop_back();
      CONTEXT("node " << node_id);
      if (!CHECK(node_id < meta.node_count)) continue;
      if (!CHECK(!reached[node_id])) continue;  // reached twice: a cycle or a shared node
      reached[node_id] = 1;
      reached_count++;
      arroy::NodeView node = view.node(node_id);
      switch (node.tag) {
        case arroy::NodeTag::Bucket: {
          summary.buckets++;
          CHECK(node.count >= 1);
          CHECK(node.count <= meta.bucket_capacity);
          for (uint32_t i = 0; i < node.count; i++) {
            uint32_t slot = arroy::load_u32(node.ids, i);
            if (i > 0) CHECK(arroy::load_u32(node.ids, i - 1) < slot);
            if (!CHECK(slot < meta.slot_count)) continue;
            CHECK_EQ(state[slot], 1);
            times[slot]++;
          }
          break;
        }
        case arroy::NodeTag::Split: {
          CHECK(std::isfinite(node.offset) && std::isfinite(node.extra));
          double length = double(node.extra) * node.extra;
          for (uint32_t d = 0; d < meta.dimensions; d++) {
            float x;
            std::memcpy(&x, static_cast<const uint8_t*>(node.normal) + 4 * d, 4);
            length += double(x) * x;
          }
          CHECK_NEAR(length, 1.0, 1e-3);  // unit normal (with the dot metric's extra coordinate)
          if (meta.metric == Metric::Cosine || meta.metric == Metric::DotProduct) CHECK_EQ(node.offset, 0.0f);
          if (meta.metric != Metric::DotProduct) CHECK_EQ(node.extra, 0.0f);
          stack.push_back(node.left);
          stack.push_back(node.right);
          break;
        }
        case arroy::NodeTag::RandomSplit:
          stack.push_back(node.left);
          stack.push_back(node.right);
          break;
      }
    }
    uint32_t wrong = 0;
    for (uint32_t slot = 0; slot < meta.slot_count; slot++) {
      if (times[slot] != (state[slot] == 1 ? 1u : 0u)) wrong++;
    }
    CHECK_EQ(wrong, 0u);
  }
  CHECK_EQ(uint64_t(reached_count), summary.stored_nodes);  // no orphan nodes
  txn.abort();
  return summary;
}

}  // namespace arroy_test
