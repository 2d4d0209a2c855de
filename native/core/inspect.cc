#include "inspect.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "items/slot_checksums.h"
#include "items/slots.h"
#include "records/bytes.h"
#include "records/index_meta.h"
#include "records/node_records.h"
#include "records/slot_records.h"
#include "records/u32_records.h"
#include "storage/cursor.h"
#include "errors.h"

namespace arroy {

namespace {

class Bitmap {
 public:
  explicit Bitmap(uint64_t size) : words_((size + 63) / 64, 0) {}
  // Sets the bit; returns whether it was already set.
  bool test_and_set(uint64_t i) {
    uint64_t& w = words_[i / 64];
    uint64_t bit = uint64_t(1) << (i % 64);
    bool was = (w & bit) != 0;
    w |= bit;
    return was;
  }
  bool test(uint64_t i) const { return (words_[i / 64] >> (i % 64)) & 1; }

 private:
  std::vector<uint64_t> words_;
};

}  // namespace

IndexStats inspect_index(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs, bool verify, bool deep) {
  auto check = [verify](bool ok, const std::string& what) {
    if (verify && !ok) corrupt(what);
  };
  MDB_val value;
  if (!txn.get(main, meta_key(dbs.index), &value)) corrupt("the index has no metadata");
  const IndexMeta meta = decode_index_meta(value.mv_data, value.mv_size);
  // Before the structural checks, which would report a damaged slot header
  // as some broken invariant without naming the item.
  if (verify && deep) verify_slot_checksums(txn, dbs, meta);

  IndexStats stats;
  stats.items = meta.item_count;
  stats.dimensions = meta.dimensions;
  stats.bucket_capacity = meta.bucket_capacity;
  stats.slots = meta.slot_count;
  stats.seed = meta.seed;
  stats.nodes = txn.entries(dbs.nodes);

  // Slots: which are live, and whose id they name.
  Bitmap live(meta.slot_count);
  std::vector<uint32_t> owner(meta.slot_count, 0);
  uint32_t live_count = 0;
  for_each_live_slot(txn, dbs, meta, [&](uint32_t slot, const SlotView& view) {
    live.test_and_set(slot);
    owner[slot] = view.item_id;
    live_count++;
  });
  check(live_count == meta.item_count, "the slabs hold " + std::to_string(live_count) + " live items, the metadata says " +
                                           std::to_string(meta.item_count));
  {
    uint64_t ids = 0;
    Cursor cursor(txn, dbs.ids);
    MDB_val v;
    uint32_t id;
    for (bool ok = cursor.first(&id, &v); ok; ok = cursor.next(&id, &v)) {
      uint32_t slot = decode_u32(v.mv_data, v.mv_size, "id record");
      check(slot < meta.slot_count && live.test(slot) && owner[slot] == id,
            "id " + std::to_string(id) + " maps to a slot that does not hold it");
      ids++;
    }
    check(ids == meta.item_count, "the id map holds " + std::to_string(ids) + " ids for " +
                                      std::to_string(meta.item_count) + " items");
  }
  if (txn.get(main, free_slots_key(dbs.index), &value)) {
    std::vector<uint32_t> free = decode_u32_list(value.mv_data, value.mv_size, "free slot list");
    stats.free_slots = static_cast<uint32_t>(free.size());
    for (uint32_t slot : free) check(slot < meta.slot_count && !live.test(slot), "a listed free slot is live");
  }
  check(uint64_t(meta.item_count) + stats.free_slots == meta.slot_count, "slots are neither live nor listed free");

  // String keys: both directions of the map agree with each other and the ids.
  if (meta.key_kind == kStringKeys) {
    uint64_t keys = 0;
    // Closed however the walk ends: a failed check or a bad key record
    // throws, and without verify a failed check carries on walking.
    KeyCursor cursor(txn, dbs.keys);
    MDB_val k, v;
    for (bool more = cursor.first(&k, &v); more; more = cursor.next(&k, &v)) {
      uint32_t id = decode_u32(v.mv_data, v.mv_size, "key record");
      MDB_val name;
      bool named = txn.get(dbs.key_names, id, &name) && name.mv_size == k.mv_size &&
                   std::memcmp(name.mv_data, k.mv_data, k.mv_size) == 0;
      MDB_val slot;
      check(named && txn.get(dbs.ids, id, &slot), "a key does not map to a stored item that names it");
      keys++;
    }
    check(keys == meta.item_count && txn.entries(dbs.key_names) == meta.item_count,
          "the key maps hold another number of items than the metadata says");
  }

  // Trees.
  Bitmap reached(meta.node_count);
  uint64_t reached_count = 0;
  for (uint32_t root : meta.roots) {
    TreeStats tree;
    tree.root = root;
    Bitmap in_tree(meta.slot_count);
    uint64_t slots_in_tree = 0;
    struct Step {
      uint32_t node, depth;
    };
    std::vector<Step> stack{{root, 1}};
    while (!stack.empty()) {
      Step step = stack.back();
      stack.pop_back();
      if (step.node >= meta.node_count) corrupt("a tree refers to node " + std::to_string(step.node));
      if (reached.test_and_set(step.node)) corrupt("node " + std::to_string(step.node) + " is reached twice");
      reached_count++;
      if (!txn.get(dbs.nodes, step.node, &value)) corrupt("tree node " + std::to_string(step.node) + " is missing");
      NodeView node = decode_node(value.mv_data, value.mv_size, meta.dimensions);
      tree.nodes++;
      tree.depth = std::max(tree.depth, step.depth);
      if (node.tag == NodeTag::Bucket) {
        tree.buckets++;
        tree.largest_bucket = std::max(tree.largest_bucket, node.count);
        check(node.count <= meta.bucket_capacity,
              "bucket " + std::to_string(step.node) + " holds more than the bucket capacity");
        check(node.count > 0 || step.node == root, "bucket " + std::to_string(step.node) + " is empty");
        for (uint32_t i = 0; i < node.count; i++) {
          uint32_t slot = load_u32(node.ids, i);
          check(i == 0 || load_u32(node.ids, i - 1) < slot, "bucket " + std::to_string(step.node) + " is not sorted");
          check(slot < meta.slot_count && live.test(slot), "a bucket holds a slot that is not live");
          if (slot < meta.slot_count) {
            check(!in_tree.test_and_set(slot), "slot " + std::to_string(slot) + " appears twice in one tree");
          }
          slots_in_tree++;
        }
      } else {
        tree.splits++;
        if (node.tag == NodeTag::RandomSplit) tree.random_splits++;
        stack.push_back({node.left, step.depth + 1});
        stack.push_back({node.right, step.depth + 1});
      }
    }
    check(slots_in_tree == meta.item_count, "tree " + std::to_string(stats.trees.size()) + " holds " +
                                                std::to_string(slots_in_tree) + " of " +
                                                std::to_string(meta.item_count) + " items");
    stats.trees.push_back(tree);
  }
  check(reached_count == stats.nodes, std::to_string(stats.nodes - reached_count) + " stored nodes are orphaned");
  stats.graph = inspect_graph(txn, main, dbs, meta, [&](uint32_t slot) { return live.test(slot); }, verify);
  stats.attributes =
      inspect_attributes(txn, main, dbs, meta, [&](uint32_t slot) { return live.test(slot); }, verify, deep);
  return stats;
}

}  // namespace arroy
