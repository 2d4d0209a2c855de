#include "forest/editor.h"

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "errors.h"
#include "forest/node_index.h"
#include "forest/rng.h"
#include "forest/thread_pool.h"
#include "items/slots.h"
#include "records/bytes.h"
#include "records/slot_records.h"
#include "storage/cursor.h"

namespace arroy {

namespace {

// Room a loaded bucket gets beyond its items, so that most insertions do not
// move it within the tree's slot store.
constexpr uint32_t kBucketSlack = 4;

}  // namespace

struct ForestEditor::Node {
  uint32_t id = 0;
  NodeTag tag = NodeTag::Bucket;
  uint32_t left = 0, right = 0;
  float offset = 0, extra = 0;
  // A split's normal, in the committed pages: planes never change, and the
  // nodes database is not written until every record is encoded.
  const void* normal = nullptr;
  // Bucket contents, ascending: count slots at TreeEdit::slots[first], with
  // room for `room` before the bucket must move.
  uint32_t first = 0, count = 0, room = 0;
  bool dirty = false;
  bool dropped = false;
  bool overflowing = false;  // went past capacity at an insertion
  bool replaced = false;     // grows into a subtree, which writes this id
};

struct ForestEditor::TreeEdit {
  TreeEdit(size_t t, uint32_t r, uint64_t seed) : tree(t), root(r), rng(seed) {}

  size_t tree;
  uint32_t root;
  Rng rng;  // coins for items exactly on a plane, as at build time
  std::deque<Node> pool;  // every node read or changed (stable addresses)
  NodeIndex positions;    // their positions in pool, by id
  std::vector<uint32_t> slots;  // the buckets' contents

  uint32_t* slots_of(const Node& n) { return slots.data() + n.first; }
  // Appends `room` slots to the store; their position.
  uint32_t grow_slots(uint64_t room) {
    const uint64_t first = slots.size();
    if (first + room > 0xFFFFFFFFu) corrupt("tree buckets hold more items than an index can");
    slots.resize(first + room);
    return static_cast<uint32_t>(first);
  }
  // Nodes that took the place of a collapsed parent, with their new parent.
  // Every other node keeps the parent its removal path shows.
  std::unordered_map<uint32_t, uint32_t> reparented;
  // Buckets past capacity (ascending ids), the subtrees that replace them,
  // and the ids of the subtrees' nodes (local 0 keeps the bucket's id).
  std::vector<uint32_t> growing;
  uint64_t growing_items = 0;  // in all of them
  std::vector<BuiltTree> subtrees;
  std::vector<std::vector<uint32_t>> subtree_ids;
  // The encoded records of every changed node.
  struct Record {
    uint32_t id;
    uint32_t size;  // kDeleted: the node is deleted
    size_t offset;  // in bytes
  };
  static constexpr uint32_t kDeleted = 0xFFFFFFFFu;
  ByteWriter bytes;
  std::vector<Record> records;
};

struct ForestEditor::SlotSource {
  const Transaction* txn = nullptr;  // when null, read `slabs`
  std::vector<MDB_val> slabs;

  SlotView slot(uint32_t slot, const IndexDatabases& dbs, const IndexMeta& meta) const {
    const uint32_t number = slot / meta.slots_per_slab;
    MDB_val slab{0, nullptr};
    if (txn) {
      txn->get(dbs.slabs, number, &slab);
    } else if (number < slabs.size()) {
      slab = slabs[number];
    }
    return live_slot_in(slab, slot, meta);
  }
};

ForestEditor::ForestEditor(Transaction& txn, const IndexDatabases& dbs, IndexMeta& meta, const Geometry& geometry,
                           uint64_t seed)
    : txn_(txn), dbs_(dbs), meta_(meta), geometry_(geometry), seed_(seed), stored_nodes_(meta.node_count) {}

ForestEditor::~ForestEditor() = default;

NodeView ForestEditor::stored(uint32_t id, const std::vector<MDB_val>* directory) const {
  if (id >= stored_nodes_) corrupt("a tree refers to node " + std::to_string(id));
  MDB_val value{0, nullptr};
  if (directory) {
    // Tasks on other threads must not touch the transaction: the directory
    // is all there is.
    if (id < directory->size()) value = (*directory)[id];
    if (!value.mv_data) corrupt("tree node " + std::to_string(id) + " is missing");
  } else if (!txn_.get(dbs_.nodes, id, &value)) {
    corrupt("tree node " + std::to_string(id) + " is missing");
  }
  return decode_node(value.mv_data, value.mv_size, meta_.dimensions);
}

ForestEditor::Node* ForestEditor::find(TreeEdit& e, uint32_t id) const {
  const uint32_t position = e.positions.find(id);
  return position == NodeIndex::kAbsent ? nullptr : &e.pool[position];
}

ForestEditor::Node& ForestEditor::load(TreeEdit& e, uint32_t id) const {
  if (Node* node = find(e, id)) {
    if (node->dropped) corrupt("a tree refers to node " + std::to_string(id) + ", which it dropped");
    return *node;
  }
  NodeView view = stored(id, routes_->directory.empty() ? nullptr : &routes_->directory);
  const uint32_t position = static_cast<uint32_t>(e.pool.size());
  Node& node = e.pool.emplace_back();
  node.id = id;
  node.tag = view.tag;
  node.left = view.left;
  node.right = view.right;
  node.offset = view.offset;
  node.extra = view.extra;
  if (view.tag == NodeTag::Split) node.normal = view.normal;
  if (view.tag == NodeTag::Bucket) {
    node.count = view.count;
    node.room = view.count + kBucketSlack;
    node.first = e.grow_slots(node.room);
    for (uint32_t i = 0; i < view.count; i++) e.slots[node.first + i] = load_u32(view.ids, i);
  }
  e.positions.insert(id, position);
  return node;
}

void ForestEditor::drop_last_tree(const std::vector<MDB_val>* directory) {
  std::unordered_set<uint32_t> seen;
  std::vector<uint32_t> stack{meta_.roots.back()};
  while (!stack.empty()) {
    const uint32_t id = stack.back();
    stack.pop_back();
    if (!seen.insert(id).second) corrupt("a tree node is reached twice");
    NodeView node = stored(id, directory);
    if (node.tag != NodeTag::Bucket) {
      stack.push_back(node.left);
      stack.push_back(node.right);
    }
    dropped_.push_back(id);
  }
  meta_.roots.pop_back();
}

void ForestEditor::apply(const BatchRoutes& routes, const std::vector<BuildItem>& removals,
                         const std::vector<BuildItem>& insertions, unsigned threads, BuildMonitor& monitor) {
  routes_ = &routes;
  removals_ = &removals;
  insertions_ = &insertions;
  const bool parallel = !routes.directory.empty();
  std::vector<TreeEdit> edits;
  edits.reserve(meta_.roots.size());
  for (size_t t = 0; t < meta_.roots.size(); t++) {
    edits.emplace_back(t, meta_.roots[t], tree_seed(seed_, static_cast<uint32_t>(t)));
  }

  run_per_tree(edits, parallel, threads, monitor, &ForestEditor::edit_tree);

  slots_ = std::make_unique<SlotSource>();
  if (parallel) {
    // Growing tasks read vectors on other threads: find every slab first.
    slots_->slabs.assign((uint64_t(meta_.slot_count) + meta_.slots_per_slab - 1) / meta_.slots_per_slab,
                         MDB_val{0, nullptr});
    Cursor cursor(txn_, dbs_.slabs);
    uint32_t number;
    MDB_val value;
    for (bool more = cursor.first(&number, &value); more; more = cursor.next(&number, &value)) {
      if (number >= slots_->slabs.size()) corrupt("slab " + std::to_string(number) + " is beyond the slot count");
      slots_->slabs[number] = value;
    }
  } else {
    slots_->txn = &txn_;
  }
  // Progress: growing subtrees is tree work, counted in items as a full
  // build counts it; then every record written.
  uint64_t growing_items = 0;
  for (const TreeEdit& e : edits) growing_items += e.growing_items;
  monitor.enter(BuildPhase::Trees, growing_items);
  run_per_tree(edits, parallel, threads, monitor, &ForestEditor::grow_tree);

  // New nodes are numbered on one thread, tree by tree and bucket by bucket,
  // so that the ids do not depend on the number of threads.
  for (TreeEdit& e : edits) {
    meta_.roots[e.tree] = e.root;
    e.subtree_ids.resize(e.subtrees.size());
    for (size_t i = 0; i < e.subtrees.size(); i++) {
      std::vector<uint32_t>& ids = e.subtree_ids[i];
      ids.resize(e.subtrees[i].nodes.size());
      ids[0] = e.growing[i];
      for (size_t local = 1; local < ids.size(); local++) {
        if (meta_.node_count == 0xFFFFFFFFu) {
          fail(ErrorCode::InvalidArgument, "the forest has run out of node ids: rebuild it");
        }
        ids[local] = meta_.node_count++;
      }
    }
  }

  run_per_tree(edits, parallel, threads, monitor, &ForestEditor::encode_tree);
  write(edits, monitor);
}

void ForestEditor::run_per_tree(std::vector<TreeEdit>& edits, bool parallel, unsigned threads, BuildMonitor& monitor,
                                void (ForestEditor::*phase)(TreeEdit&, BuildMonitor&)) {
  if (parallel) {
    run_parallel(edits.size(), threads, monitor, [&](size_t t) { (this->*phase)(edits[t], monitor); });
    return;
  }
  for (TreeEdit& e : edits) {
    (this->*phase)(e, monitor);
    check_cancelled(monitor);
  }
}

void ForestEditor::edit_tree(TreeEdit& e, BuildMonitor& monitor) {
  const RoutesOfTree& routes = routes_->trees[e.tree];
  // Edits in ascending bucket ids (a fixed order, so the result stays a pure
  // function of the batch): the nodes they load then fill the pool in about
  // id order, which is the order they are encoded and written in.
  auto by_bucket = [](size_t count, auto bucket_of) {
    std::vector<uint64_t> order(count);
    for (size_t i = 0; i < count; i++) order[i] = uint64_t(bucket_of(i)) << 32 | i;
    std::sort(order.begin(), order.end());
    return order;
  };
  std::vector<uint64_t> order = by_bucket(removals_->size(), [&](size_t i) { return routes.removal_path(i).back(); });
  for (size_t k = 0; k < order.size(); k++) {
    const size_t i = order[k] & 0xFFFFFFFFu;
    remove(e, (*removals_)[i].slot, routes.removal_path(i));
    if ((k & 1023) == 1023) check_cancelled(monitor);
  }
  order = by_bucket(insertions_->size(), [&](size_t j) { return routes.insertion_buckets[j]; });
  for (size_t k = 0; k < order.size(); k++) {
    const size_t j = order[k] & 0xFFFFFFFFu;
    insert(e, (*insertions_)[j], routes.insertion_buckets[j]);
    if ((k & 1023) == 1023) check_cancelled(monitor);
  }
  for (Node& node : e.pool) {
    if (node.overflowing && !node.dropped && node.count > meta_.bucket_capacity) {
      node.replaced = true;
      e.growing.push_back(node.id);
      e.growing_items += node.count;
    }
  }
  std::sort(e.growing.begin(), e.growing.end());
}

void ForestEditor::remove(TreeEdit& e, uint32_t slot, const RemovalPath& path) const {
  Node& node = load(e, path.back());
  uint32_t* begin = e.slots_of(node);
  uint32_t* end = begin + node.count;
  uint32_t* it = std::lower_bound(begin, end, slot);
  if (node.tag != NodeTag::Bucket || it == end || *it != slot) {
    corrupt("slot " + std::to_string(slot) + " left its bucket in tree " + std::to_string(e.tree));
  }
  std::copy(it + 1, end, it);
  node.count--;
  node.dirty = true;
  if (node.count == 0) unlink_empty_bucket(e, path);
}

uint32_t ForestEditor::parent_of(const TreeEdit& e, uint32_t node, const RemovalPath& path) const {
  auto moved = e.reparented.find(node);
  if (moved != e.reparented.end()) return moved->second;
  for (size_t i = path.size; i-- > 1;) {
    if (path.nodes[i] == node) return path.nodes[i - 1];
  }
  corrupt("a tree node lost its parent");
}

namespace {

// The child slot of `parent` that holds `child`.
uint32_t& child_link(uint32_t& left, uint32_t& right, NodeTag tag, uint32_t child) {
  if (tag == NodeTag::Bucket || (left != child && right != child)) corrupt("a tree node lost its parent");
  return left == child ? left : right;
}

}  // namespace

void ForestEditor::unlink_empty_bucket(TreeEdit& e, const RemovalPath& path) const {
  const uint32_t bucket = path.back();
  if (bucket == e.root) return;  // an empty root bucket: the tree holds nothing until the next insert
  const uint32_t parent = parent_of(e, bucket, path);
  Node& p = load(e, parent);
  const uint32_t& link = child_link(p.left, p.right, p.tag, bucket);
  const uint32_t sibling = &link == &p.left ? p.right : p.left;
  if (parent == e.root) {
    e.root = sibling;
  } else {
    const uint32_t grandparent = parent_of(e, parent, path);
    Node& g = load(e, grandparent);
    child_link(g.left, g.right, g.tag, parent) = sibling;
    g.dirty = true;
    e.reparented[sibling] = grandparent;
  }
  for (uint32_t gone : {bucket, parent}) {
    Node& n = *find(e, gone);
    n.dropped = true;
    n.dirty = n.overflowing = false;
  }
}

void ForestEditor::insert(TreeEdit& e, const BuildItem& item, uint32_t bucket) const {
  // The routed bucket collapsed in this build (its items all left): route
  // again through the tree as it is now.
  if (Node* routed = find(e, bucket); routed && routed->dropped) bucket = descend(e, item);
  Node& node = load(e, bucket);
  if (node.tag != NodeTag::Bucket) corrupt("an item was routed to a split node");
  const uint32_t* stored = e.slots_of(node);
  const uint32_t at = static_cast<uint32_t>(std::lower_bound(stored, stored + node.count, item.slot) - stored);
  if (at == node.count || stored[at] != item.slot) {
    if (node.count == node.room) {
      // Full: move the bucket to the end of the store with twice the room.
      node.room = std::max(2 * node.room, node.count + kBucketSlack);
      const uint32_t first = e.grow_slots(node.room);
      std::copy(e.slots.begin() + node.first, e.slots.begin() + node.first + node.count, e.slots.begin() + first);
      node.first = first;
    }
    uint32_t* slots = e.slots_of(node);
    std::copy_backward(slots + at, slots + node.count, slots + node.count + 1);
    slots[at] = item.slot;
    node.count++;
  }
  node.dirty = true;
  if (node.count > meta_.bucket_capacity) node.overflowing = true;
}

uint32_t ForestEditor::descend(TreeEdit& e, const BuildItem& item) const {
  uint32_t id = e.root;
  for (uint64_t steps = 0;; steps++) {
    if (steps > stored_nodes_) corrupt("tree nodes form a cycle");
    const Node& node = load(e, id);
    if (node.tag == NodeTag::Bucket) return id;
    float m = node.tag == NodeTag::Split ? split_margin(geometry_, node.normal, node.offset, node.extra, item) : 0;
    bool right = m == 0 ? e.rng.coin() : m > 0;
    id = right ? node.right : node.left;
  }
}

void ForestEditor::grow_tree(TreeEdit& e, BuildMonitor& monitor) {
  e.subtrees.resize(e.growing.size());
  std::vector<BuildItem> items;
  for (size_t i = 0; i < e.growing.size(); i++) {
    const uint32_t id = e.growing[i];
    items.clear();
    const Node& bucket = *find(e, id);
    for (uint32_t i = 0; i < bucket.count; i++) {
      const uint32_t slot = e.slots[bucket.first + i];
      SlotView view = slots_->slot(slot, dbs_, meta_);
      items.push_back({slot, view.values, view.norm});
    }
    e.subtrees[i] = build_tree(geometry_, items, meta_.bucket_capacity, seed_ ^ (0x9e3779b97f4a7c15ull * (id + 1)),
                               monitor);
  }
}

void ForestEditor::encode_tree(TreeEdit& e, BuildMonitor& monitor) {
  // Records in ascending ids, so that the writes, which go in id order,
  // read each tree's buffer front to back.
  struct Pending {
    uint32_t id;
    const Node* node;  // null: local node `local` of subtree `subtree`
    uint32_t subtree, local;
    bool operator<(const Pending& other) const { return id < other.id; }
  };
  std::vector<Pending> pending;
  for (const Node& n : e.pool) {
    if (n.dropped || (n.dirty && !n.replaced)) pending.push_back({n.id, &n, 0, 0});
  }
  for (uint32_t i = 0; i < e.subtrees.size(); i++) {
    for (uint32_t local = 0; local < e.subtrees[i].nodes.size(); local++) {
      pending.push_back({e.subtree_ids[i][local], nullptr, i, local});
    }
  }
  std::sort(pending.begin(), pending.end());

  for (const Pending& p : pending) {
    const size_t offset = e.bytes.buffer().size();
    if (!p.node) {
      append_built_node(e.bytes, e.subtrees[p.subtree], p.local, e.subtree_ids[p.subtree], meta_.dimensions);
    } else if (p.node->dropped) {
      e.records.push_back({p.id, TreeEdit::kDeleted, 0});
      continue;
    } else {
      const Node& n = *p.node;
      switch (n.tag) {
        case NodeTag::Bucket:
          append_bucket(e.bytes, e.slots.data() + n.first, n.count);
          break;
        case NodeTag::Split:
          append_split(e.bytes, n.left, n.right, n.offset, n.extra, n.normal, meta_.dimensions);
          break;
        case NodeTag::RandomSplit:
          append_random_split(e.bytes, n.left, n.right);
          break;
      }
    }
    e.records.push_back({p.id, static_cast<uint32_t>(e.bytes.buffer().size() - offset), offset});
  }
  check_cancelled(monitor);
}

void ForestEditor::write(std::vector<TreeEdit>& edits, BuildMonitor& monitor) {
  // Every record as (id << 32 | position in refs), in ascending id order.
  // Trees share no nodes, so an id twice means a damaged forest.
  struct Ref {
    const TreeEdit* tree;  // null: a node of a dropped tree
    size_t record;
  };
  std::vector<Ref> refs;
  for (uint32_t id : dropped_) refs.push_back({nullptr, id});
  for (const TreeEdit& e : edits) {
    for (size_t r = 0; r < e.records.size(); r++) refs.push_back({&e, r});
  }
  auto id_of = [](const Ref& ref) { return ref.tree ? ref.tree->records[ref.record].id : uint32_t(ref.record); };
  std::vector<uint64_t> order(refs.size());
  for (size_t i = 0; i < refs.size(); i++) order[i] = uint64_t(id_of(refs[i])) << 32 | i;
  std::sort(order.begin(), order.end());
  for (size_t i = 1; i < order.size(); i++) {
    if ((order[i] >> 32) == (order[i - 1] >> 32)) corrupt("a node is shared between trees");
  }
  monitor.enter(BuildPhase::Writing, order.size());

  // Ascending ids through one cursor: most records sit on the page it is
  // already on.
  Cursor cursor(txn_, dbs_.nodes);
  for (uint64_t key : order) {
    if ((monitor.done++ & 1023) == 1023) check_cancelled(monitor);
    const Ref& ref = refs[key & 0xFFFFFFFFu];
    const uint32_t id = static_cast<uint32_t>(key >> 32);
    if (!ref.tree || ref.tree->records[ref.record].size == TreeEdit::kDeleted) {
      cursor.del(id);
      continue;
    }
    const TreeEdit::Record& record = ref.tree->records[ref.record];
    cursor.put(id, ref.tree->bytes.buffer().data() + record.offset, record.size);
  }
}

}  // namespace arroy
