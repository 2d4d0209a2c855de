#include "items/read_view.h"

#include <string>

#include "errors.h"
#include "records/bytes.h"
#include "records/slot_records.h"

namespace arroy {

void ReadView::forget() {
  txn_id_ = 0;
  slabs_.reset(0);
  nodes_.reset(0);
  links_.reset(0);
  has_graph_ = false;
}

void ReadView::attach(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs) {
  txn_ = &txn;
  main_ = main;
  size_t id = mdb_txn_id(txn.txn());
  if (id == txn_id_ && dbs.index == dbs_.index && txn.map_generation() == generation_) return;
  forget();
  dbs_ = dbs;
  MDB_val value;
  if (!txn.get(main, meta_key(dbs.index), &value)) fail(ErrorCode::NotAnIndex, "the index was dropped");
  meta_ = decode_index_meta(value.mv_data, value.mv_size);
  check_meta_counts(txn, dbs, meta_);
  slabs_.reset((uint64_t(meta_.slot_count) + meta_.slots_per_slab - 1) / meta_.slots_per_slab);
  nodes_.reset(meta_.node_count);
  MDB_val graph;
  if (txn.get(main, graph_key(dbs.index), &graph)) {
    graph_ = decode_graph_record(graph.mv_data, graph.mv_size);
    if (graph_.entry != kNoGraphEntry && graph_.entry >= meta_.slot_count) corrupt("the graph's entry is beyond the slot count");
    has_graph_ = true;
    links_.reset(meta_.slot_count);
  }
  txn_id_ = id;
  generation_ = txn.map_generation();
}

NodeView ReadView::node(uint32_t id) {
  if (id >= nodes_.size()) corrupt("node " + std::to_string(id) + " is beyond the node count");
  MDB_val& cached = nodes_[id];
  if (!cached.mv_data && !txn_->get(dbs_.nodes, id, &cached)) {
    corrupt("tree node " + std::to_string(id) + " is missing");
  }
  return decode_node(cached.mv_data, cached.mv_size, meta_.dimensions);
}

const uint8_t* ReadView::slot_address(uint32_t slot) {
  if (slot >= meta_.slot_count) corrupt("slot " + std::to_string(slot) + " is beyond the slot count");
  uint32_t number = slot / meta_.slots_per_slab;
  const size_t bytes = slot_size(meta_.dimensions);
  const uint8_t*& cached = slabs_[number];
  if (!cached) {
    MDB_val value;
    if (!txn_->get(dbs_.slabs, number, &value)) corrupt("slab " + std::to_string(number) + " is missing");
    if (value.mv_size != bytes * meta_.slots_per_slab) corrupt("a slab of " + std::to_string(value.mv_size) + " bytes");
    cached = static_cast<const uint8_t*>(value.mv_data);
  }
  return cached + bytes * (slot % meta_.slots_per_slab);
}

SlotView ReadView::live_slot(uint32_t slot) {
  const uint8_t* address = slot_address(slot);
  // Before decoding: a damaged header is reported as the damage it is.
  if (!slot_intact(address, meta_.dimensions)) {
    corrupt("the stored vector in slot " + std::to_string(slot) + " (of item " + std::to_string(load_u32(address, 0)) +
            ", if that part is intact) fails its checksum: run check({ deep: true }) to list every damaged item");
  }
  return read_live_slot(address, meta_.dimensions);
}

namespace {
// Marks a slot whose links were looked up and found absent.
const uint8_t kNoLinks = 0;
}  // namespace

LinkList ReadView::links(uint32_t slot) {
  if (!has_graph_ || slot >= links_.size()) return {};
  LinkList& cached = links_[slot];
  if (!cached.bytes) {
    MDB_val value;
    if (txn_->get(dbs_.links, slot, &value)) {
      cached = decode_links(value.mv_data, value.mv_size, graph_.degree);
      if (cached.count == 0) cached.bytes = &kNoLinks;
    } else {
      cached = {&kNoLinks, 0};
    }
  }
  return cached;
}

}  // namespace arroy
