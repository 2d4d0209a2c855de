// Incremental maintenance of a stored forest: a build that changes a few
// items touches only the paths those items take through each tree, so its
// cost follows the size of the batch, not of the index.
//
// - remove: an item's old vector is routed down each tree to its bucket (no
//   reverse map is stored: the planes say where it went). Where a tie or a
//   random split makes the side uncertain, both sides are searched. A bucket
//   left empty disappears together with its parent split, whose other child
//   takes its place.
// - insert: the new vector is routed down the existing planes into a bucket.
// - finish: a bucket grown past its capacity becomes a subtree (grown from its
//   own items, rooted at the bucket's node id so no parent changes), then
//   every changed node is written and every dropped one deleted.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "forest.h"
#include "planes.h"
#include "records.h"
#include "rng.h"
#include "slabs.h"
#include "snapshot.h"
#include "storage.h"

namespace arroy {

class ForestEditor {
 public:
  ForestEditor(Transaction& txn, const IndexDatabases& dbs, IndexMeta& meta, const Geometry& geometry,
               uint64_t seed);

  void remove(uint32_t slot, const float* values, float norm);
  void insert(uint32_t slot, const float* values, float norm);
  // Splits overflowing buckets (reading their items from the slabs, which
  // must already hold every change), then writes the nodes. Updates
  // meta.roots and meta.node_count.
  void finish(BuildMonitor& monitor);

  // Node ids of tree `tree` (for dropping whole trees).
  void drop_tree(size_t tree);

 private:
  struct Node {
    NodeTag tag = NodeTag::Bucket;
    uint32_t left = 0, right = 0;
    float offset = 0, extra = 0;
    // A split's normal: borrowed from the stored node (planes never change,
    // and the pages of the transaction's snapshot stay in place until it
    // commits), or owned by a node this build created.
    const void* stored_normal = nullptr;
    std::vector<float> owned_normal;
    std::vector<uint32_t> slots;  // bucket contents, ascending

    const void* normal() const { return stored_normal ? stored_normal : owned_normal.data(); }
  };

  Node& load(uint32_t id);
  Node& create(uint32_t* id);
  Node* loaded(uint32_t id);
  // Per-node state flags, by id.
  enum : uint8_t { kDirty = 1, kDropped = 2, kOverflowing = 4 };
  bool has(uint32_t id, uint8_t flag) const { return id < state_.size() && (state_[id] & flag); }
  void set(uint32_t id, uint8_t flag);
  void clear(uint32_t id, uint8_t flag) {
    if (id < state_.size()) state_[id] &= static_cast<uint8_t>(~flag);
  }
  float margin(const Node& node, const float* values, float norm) const;
  bool remove_below(size_t tree, std::vector<uint32_t>& path, uint32_t slot, const float* values, float norm);
  void unlink_empty_bucket(size_t tree, const std::vector<uint32_t>& path);
  void replace_child(size_t tree, const std::vector<uint32_t>& path, size_t depth, uint32_t replacement);
  void split_bucket(uint32_t id, BuildMonitor& monitor);

  Transaction& txn_;
  IndexDatabases dbs_;
  IndexMeta& meta_;
  Geometry geometry_;
  uint64_t seed_;
  Rng rng_;
  // Every node read or changed by this build: pool_ holds them at stable
  // addresses, where_[id] is 1 + their position in it (0: not loaded).
  std::deque<Node> pool_;
  std::vector<uint32_t> where_;
  std::vector<uint8_t> state_;
  uint32_t lowest_touched_ = 0xFFFFFFFFu;  // the flagged ids lie in [lowest_touched_, state_.size())
};

}  // namespace arroy
