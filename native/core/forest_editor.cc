#include "forest_editor.h"

#include <algorithm>
#include <cstring>

#include "bytes.h"
#include "errors.h"

namespace arroy {

ForestEditor::ForestEditor(Transaction& txn, const IndexDatabases& dbs, IndexMeta& meta, const Geometry& geometry,
                           uint64_t seed)
    : txn_(txn), dbs_(dbs), meta_(meta), geometry_(geometry), seed_(seed), rng_(seed) {}

void ForestEditor::set(uint32_t id, uint8_t flag) {
  if (state_.size() <= id) state_.resize(std::max<size_t>(size_t(id) + 1, meta_.node_count), 0);
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
  if (!txn_.get(dbs_.nodes, id, &value)) corrupt("tree node " + std::to_string(id) + " is missing");
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
  if (where_.size() <= id) where_.resize(std::max<size_t>(id + 1, meta_.node_count), 0);
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

float ForestEditor::margin(const Node& node, const float* values, float norm) const {
  float m = node.offset + geometry_.kernels->dot(node.normal(), values, meta_.dimensions);
  if (geometry_.metric == Metric::DotProduct) m += node.extra * geometry_.extra_coordinate({0, values, norm});
  return m;
}

void ForestEditor::remove(uint32_t slot, const float* values, float norm) {
  for (size_t tree = 0; tree < meta_.roots.size(); tree++) {
    std::vector<uint32_t> path{meta_.roots[tree]};
    if (!remove_below(tree, path, slot, values, norm)) {
      corrupt("slot " + std::to_string(slot) + " is missing from tree " + std::to_string(tree));
    }
  }
}

bool ForestEditor::remove_below(size_t tree, std::vector<uint32_t>& path, uint32_t slot, const float* values,
                                float norm) {
  if (path.size() > size_t(meta_.node_count) + 1) corrupt("tree nodes form a cycle");
  const uint32_t id = path.back();
  Node& node = load(id);
  if (node.tag == NodeTag::Bucket) {
    auto it = std::lower_bound(node.slots.begin(), node.slots.end(), slot);
    if (it == node.slots.end() || *it != slot) return false;
    node.slots.erase(it);
    set(id, kDirty);
    if (node.slots.empty()) unlink_empty_bucket(tree, path);
    return true;
  }
  // The side the planes give first; the other side only if the item is not
  // there (a tie at build time, or kernels that round differently).
  uint32_t first = node.left, second = node.right;
  if (node.tag == NodeTag::Split && margin(node, values, norm) > 0) std::swap(first, second);
  for (uint32_t child : {first, second}) {
    path.push_back(child);
    bool found = remove_below(tree, path, slot, values, norm);
    path.pop_back();
    if (found) return true;
  }
  return false;
}

void ForestEditor::unlink_empty_bucket(size_t tree, const std::vector<uint32_t>& path) {
  if (path.size() < 2) return;  // an empty root bucket: the tree holds nothing until the next insert
  const uint32_t bucket = path.back();
  const uint32_t parent = path[path.size() - 2];
  const Node& p = load(parent);
  const uint32_t sibling = p.left == bucket ? p.right : p.left;
  replace_child(tree, path, path.size() - 2, sibling);
  for (uint32_t gone : {bucket, parent}) {
    set(gone, kDropped);
    clear(gone, kDirty | kOverflowing);
  }
}

void ForestEditor::replace_child(size_t tree, const std::vector<uint32_t>& path, size_t depth, uint32_t replacement) {
  if (depth == 0) {
    meta_.roots[tree] = replacement;
    return;
  }
  const uint32_t grandparent = path[depth - 1];
  Node& g = load(grandparent);
  (g.left == path[depth] ? g.left : g.right) = replacement;
  set(grandparent, kDirty);
}

void ForestEditor::insert(uint32_t slot, const float* values, float norm) {
  for (size_t tree = 0; tree < meta_.roots.size(); tree++) {
    uint32_t id = meta_.roots[tree];
    for (uint64_t steps = 0;; steps++) {
      if (steps > meta_.node_count) corrupt("tree nodes form a cycle");
      Node& node = load(id);
      if (node.tag == NodeTag::Bucket) {
        auto it = std::lower_bound(node.slots.begin(), node.slots.end(), slot);
        if (it == node.slots.end() || *it != slot) node.slots.insert(it, slot);
        set(id, node.slots.size() > meta_.bucket_capacity ? kDirty | kOverflowing : kDirty);
        break;
      }
      // As at build time: the sign of the margin, and a coin on the plane
      // itself or at a random split.
      float m = node.tag == NodeTag::Split ? margin(node, values, norm) : 0;
      bool right = m == 0 ? rng_.coin() : m > 0;
      id = right ? node.right : node.left;
    }
  }
}

void ForestEditor::split_bucket(uint32_t id, BuildMonitor& monitor) {
  std::vector<uint32_t> slots = load(id).slots;
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
  BuiltTree subtree = build_tree(geometry_, items, meta_.bucket_capacity, seed_ ^ (0x9e3779b97f4a7c15ull * (id + 1)),
                                 monitor);
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

void ForestEditor::finish(BuildMonitor& monitor) {
  // Splitting reads item vectors straight from the slabs, so every split
  // happens before the first node is written. (Splits add nodes past the
  // current end, which are never overflowing themselves.)
  const size_t end = state_.size();
  for (size_t id = lowest_touched_; id < end; id++) {
    if ((state_[id] & kOverflowing) && !(state_[id] & kDropped)) {
      clear(static_cast<uint32_t>(id), kOverflowing);
      if (load(static_cast<uint32_t>(id)).slots.size() > meta_.bucket_capacity) split_bucket(static_cast<uint32_t>(id), monitor);
    }
  }
  // Ascending ids: the puts walk the database in order.
  for (size_t id = lowest_touched_; id < state_.size(); id++) {
    if (state_[id] & kDropped) {
      txn_.del(dbs_.nodes, static_cast<uint32_t>(id));
      continue;
    }
    if (!(state_[id] & kDirty)) continue;
    const Node& node = *loaded(static_cast<uint32_t>(id));
    switch (node.tag) {
      case NodeTag::Bucket:
        txn_.put(dbs_.nodes, static_cast<uint32_t>(id), encode_bucket(node.slots.data(), node.slots.size()));
        break;
      case NodeTag::Split:
        txn_.put(dbs_.nodes, static_cast<uint32_t>(id),
                 encode_split(node.left, node.right, node.offset, node.extra, node.normal(), meta_.dimensions));
        break;
      case NodeTag::RandomSplit:
        txn_.put(dbs_.nodes, static_cast<uint32_t>(id), encode_random_split(node.left, node.right));
        break;
    }
  }
  state_.clear();
  lowest_touched_ = 0xFFFFFFFFu;
}

}  // namespace arroy
