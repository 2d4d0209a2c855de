#include "forest_editor.h"

#include <algorithm>
#include <cstring>

#include "bytes.h"
#include "errors.h"

namespace arroy {

ForestEditor::ForestEditor(Transaction& txn, const IndexDatabases& dbs, IndexMeta& meta, const Geometry& geometry,
                           uint64_t seed)
    : txn_(txn), dbs_(dbs), meta_(meta), geometry_(geometry), seed_(seed), rng_(seed) {}

namespace {

// The size to grow a per-node table to so that it holds id: at least double,
// but no further than node_count. (Not node_count at once: a damaged
// metadata record can claim 2^32 nodes, and the table would take gigabytes.)
size_t grown_size(size_t current, uint32_t id, uint32_t node_count) {
  return std::max<size_t>(size_t(id) + 1, std::min<size_t>(node_count, std::max<size_t>(2 * current, 4096)));
}

}  // namespace

void ForestEditor::set(uint32_t id, uint8_t flag) {
  if (state_.size() <= id) state_.resize(grown_size(state_.size(), id, meta_.node_count), 0);
  state_[id] |= flag;
  lowest_touched_ = std::min(lowest_touched_, id);
}

ForestEditor::Node* ForestEditor::loaded(uint32_t id) {
  return id < where_.size() && where_[id] ? &pool_[where_[id] - 1] : nullptr;
}

ForestEditor::Node& ForestEditor::load(uint32_t id) {
  if (Node* node = loaded(id)) return *node;
  if (id >= meta_.node_count || has(id, kDropped)) corrupt("a tree refers to node " + std::to_string(id));
  MDB_val value;
  if (directory_ && id < directory_->size() && (*directory_)[id].mv_data) {
    value = (*directory_)[id];
  } else if (!txn_.get(dbs_.nodes, id, &value)) {
    corrupt("tree node " + std::to_string(id) + " is missing");
  }
  NodeView view = decode_node(value.mv_data, value.mv_size, meta_.dimensions);
  Node node;
  node.tag = view.tag;
  node.left = view.left;
  node.right = view.right;
  node.offset = view.offset;
  node.extra = view.extra;
  if (view.tag == NodeTag::Split) node.stored_normal = view.normal;
  node.slots.resize(view.count);
  for (uint32_t i = 0; i < view.count; i++) node.slots[i] = load_u32(view.ids, i);
  pool_.push_back(std::move(node));
  if (where_.size() <= id) where_.resize(grown_size(where_.size(), id, meta_.node_count), 0);
  where_[id] = static_cast<uint32_t>(pool_.size());
  return pool_.back();
}

ForestEditor::Node& ForestEditor::create(uint32_t* id) {
  if (meta_.node_count == 0xFFFFFFFFu) fail(ErrorCode::InvalidArgument, "the forest has run out of node ids: rebuild it");
  *id = meta_.node_count++;
  set(*id, kDirty);
  pool_.emplace_back();
  if (where_.size() <= *id) where_.resize(size_t(*id) + 1, 0);
  where_[*id] = static_cast<uint32_t>(pool_.size());
  return pool_.back();
}

void ForestEditor::edit_tree(size_t tree, const RoutesOfTree& routes, const std::vector<BuildItem>& removals,
                             const std::vector<BuildItem>& insertions) {
  reparented_.clear();
  for (size_t i = 0; i < removals.size(); i++) remove(tree, removals[i].slot, routes.removal_paths[i]);
  for (size_t j = 0; j < insertions.size(); j++) insert(tree, insertions[j], routes.insertion_buckets[j]);
}

void ForestEditor::remove(size_t tree, uint32_t slot, const std::vector<uint32_t>& path) {
  const uint32_t id = path.back();
  Node& node = load(id);
  auto it = std::lower_bound(node.slots.begin(), node.slots.end(), slot);
  if (node.tag != NodeTag::Bucket || it == node.slots.end() || *it != slot) {
    corrupt("slot " + std::to_string(slot) + " left its bucket in tree " + std::to_string(tree));
  }
  node.slots.erase(it);
  set(id, kDirty);
  if (node.slots.empty()) unlink_empty_bucket(tree, path);
}

uint32_t ForestEditor::parent_of(uint32_t node, const std::vector<uint32_t>& path) const {
  auto moved = reparented_.find(node);
  if (moved != reparented_.end()) return moved->second;
  for (size_t i = path.size(); i-- > 1;) {
    if (path[i] == node) return path[i - 1];
  }
  corrupt("a tree node lost its parent");
}

void ForestEditor::unlink_empty_bucket(size_t tree, const std::vector<uint32_t>& path) {
  const uint32_t bucket = path.back();
  if (bucket == meta_.roots[tree]) return;  // an empty root bucket: the tree holds nothing until the next insert
  const uint32_t parent = parent_of(bucket, path);
  const Node& p = load(parent);
  const uint32_t sibling = p.left == bucket ? p.right : p.left;
  if (parent == meta_.roots[tree]) {
    meta_.roots[tree] = sibling;
  } else {
    const uint32_t grandparent = parent_of(parent, path);
    Node& g = load(grandparent);
    (g.left == parent ? g.left : g.right) = sibling;
    set(grandparent, kDirty);
    reparented_[sibling] = grandparent;
  }
  for (uint32_t gone : {bucket, parent}) {
    set(gone, kDropped);
    clear(gone, kDirty | kOverflowing);
  }
}

void ForestEditor::insert(size_t tree, const BuildItem& item, uint32_t bucket) {
  // The routed bucket collapsed in this build (its items all left): route
  // again through the tree as it is now.
  if (has(bucket, kDropped)) bucket = descend(tree, item);
  Node& node = load(bucket);
  if (node.tag != NodeTag::Bucket) corrupt("an item was routed to a split node");
  auto it = std::lower_bound(node.slots.begin(), node.slots.end(), item.slot);
  if (it == node.slots.end() || *it != item.slot) node.slots.insert(it, item.slot);
  set(bucket, node.slots.size() > meta_.bucket_capacity ? kDirty | kOverflowing : kDirty);
}

uint32_t ForestEditor::descend(size_t tree, const BuildItem& item) {
  uint32_t id = meta_.roots[tree];
  for (uint64_t steps = 0;; steps++) {
    if (steps > meta_.node_count) corrupt("tree nodes form a cycle");
    const Node& node = load(id);
    if (node.tag == NodeTag::Bucket) return id;
    float m = node.tag == NodeTag::Split ? split_margin(geometry_, node.normal(), node.offset, node.extra, item) : 0;
    bool right = m == 0 ? rng_.coin() : m > 0;
    id = right ? node.right : node.left;
  }
}

std::vector<BuildItem> ForestEditor::bucket_items(uint32_t id) {
  const std::vector<uint32_t>& slots = load(id).slots;
  std::vector<BuildItem> items;
  items.reserve(slots.size());
  const size_t bytes = slot_size(meta_.dimensions);
  for (uint32_t slot : slots) {
    MDB_val slab;
    uint32_t number = slot / meta_.slots_per_slab;
    if (!txn_.get(dbs_.slabs, number, &slab)) corrupt("slab " + std::to_string(number) + " is missing");
    if (slab.mv_size != bytes * meta_.slots_per_slab) corrupt("a slab of " + std::to_string(slab.mv_size) + " bytes");
    SlotView view = read_live_slot(static_cast<const uint8_t*>(slab.mv_data) + bytes * (slot % meta_.slots_per_slab),
                                   meta_.dimensions);
    items.push_back({slot, view.values, view.norm});
  }
  return items;
}

void ForestEditor::install_subtree(uint32_t id, const BuiltTree& subtree) {
  // Local node 0 takes over the bucket's id, so its parent needs no change.
  std::vector<uint32_t> ids(subtree.nodes.size());
  ids[0] = id;
  for (size_t local = 1; local < ids.size(); local++) create(&ids[local]);
  for (size_t local = 0; local < ids.size(); local++) {
    const BuiltNode& built = subtree.nodes[local];
    Node node;
    node.tag = built.tag;
    if (built.tag == NodeTag::Bucket) {
      node.slots.assign(subtree.ids.begin() + built.first, subtree.ids.begin() + built.first + built.count);
    } else {
      node.left = ids[built.left];
      node.right = ids[built.right];
    }
    if (built.tag == NodeTag::Split) {
      node.offset = built.offset;
      node.extra = built.extra;
      const float* normal = subtree.normals.data() + size_t(built.first) * meta_.dimensions;
      node.owned_normal.assign(normal, normal + meta_.dimensions);
    }
    (local == 0 ? load(id) : *loaded(ids[local])) = std::move(node);
    set(ids[local], kDirty);
  }
}

void ForestEditor::drop_tree(size_t tree) {
  std::vector<uint32_t> stack{meta_.roots[tree]};
  while (!stack.empty()) {
    uint32_t id = stack.back();
    stack.pop_back();
    if (has(id, kDropped)) corrupt("a node is shared between trees");
    const Node& node = load(id);
    if (node.tag != NodeTag::Bucket) {
      stack.push_back(node.left);
      stack.push_back(node.right);
    }
    set(id, kDropped);
    clear(id, kDirty | kOverflowing);
  }
  meta_.roots.erase(meta_.roots.begin() + static_cast<std::ptrdiff_t>(tree));
}

void ForestEditor::finish(unsigned threads, BuildMonitor& monitor) {
  // Splitting reads item vectors straight from the slabs, so every split is
  // grown before the first node is written. Each subtree is a pure function
  // of the bucket's items and id, so they grow on all cores and are installed
  // in id order (which numbers the new nodes the same for any thread count).
  std::vector<uint32_t> overflowing;
  for (size_t id = lowest_touched_; id < state_.size(); id++) {
    if ((state_[id] & kOverflowing) && !(state_[id] & kDropped)) {
      clear(static_cast<uint32_t>(id), kOverflowing);
      if (load(static_cast<uint32_t>(id)).slots.size() > meta_.bucket_capacity) {
        overflowing.push_back(static_cast<uint32_t>(id));
      }
    }
  }
  std::vector<std::vector<BuildItem>> items(overflowing.size());
  for (size_t i = 0; i < overflowing.size(); i++) items[i] = bucket_items(overflowing[i]);
  std::vector<BuiltTree> subtrees(overflowing.size());
  run_parallel(overflowing.size(), threads, monitor, [&](size_t i) {
    subtrees[i] = build_tree(geometry_, items[i], meta_.bucket_capacity,
                             seed_ ^ (0x9e3779b97f4a7c15ull * (overflowing[i] + 1)), monitor);
  });
  for (size_t i = 0; i < overflowing.size(); i++) install_subtree(overflowing[i], subtrees[i]);
  directory_ = nullptr;  // its pages are the ones the puts below replace
  // Ascending ids, through one cursor: most records sit on the page it is
  // already on.
  Cursor cursor(txn_, dbs_.nodes);
  for (size_t id = lowest_touched_; id < state_.size(); id++) {
    if (state_[id] & kDropped) {
      cursor.del(static_cast<uint32_t>(id));
      continue;
    }
    if (!(state_[id] & kDirty)) continue;
    const Node& node = *loaded(static_cast<uint32_t>(id));
    switch (node.tag) {
      case NodeTag::Bucket:
        cursor.put(static_cast<uint32_t>(id), encode_bucket(node.slots.data(), node.slots.size()));
        break;
      case NodeTag::Split:
        cursor.put(static_cast<uint32_t>(id),
                 encode_split(node.left, node.right, node.offset, node.extra, node.normal(), meta_.dimensions));
        break;
      case NodeTag::RandomSplit:
        cursor.put(static_cast<uint32_t>(id), encode_random_split(node.left, node.right));
        break;
    }
  }
  state_.clear();
  lowest_touched_ = 0xFFFFFFFFu;
}

}  // namespace arroy
