// Incremental maintenance of a stored forest: a build that changes a few
// items touches only the paths those items take through each tree, so its
// cost follows the size of the batch, not of the index.
//
// The routes come from route_batch (forest_router.h), found on all cores
// before anything is written; the editor then applies them tree by tree:
// - removals: the slot leaves the bucket its path ends in. A bucket left empty
//   disappears together with its parent split, whose other child takes its
//   place (parents are known from the paths and the collapses so far).
// - insertions: the slot joins the bucket its vector reached (routed again
//   from the root if that bucket has just collapsed).
// - finish: a bucket grown past its capacity becomes a subtree (grown from its
//   own items on all cores, rooted at the bucket's node id so no parent
//   changes), then every changed node is written and every dropped one deleted.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "forest.h"
#include "forest_router.h"
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

  // Reads nodes from `directory` (by id; see BatchRoutes) where it has them,
  // until the first node is written.
  void use_directory(const std::vector<MDB_val>* directory) { directory_ = directory; }

  // Applies the routes of one tree: every removal, then every insertion.
  // removals[i].slot is where the old version was; insertions[j].slot where
  // the new one is stored now (the vectors serve a second routing).
  void edit_tree(size_t tree, const RoutesOfTree& routes, const std::vector<BuildItem>& removals,
                 const std::vector<BuildItem>& insertions);
  // Splits overflowing buckets (reading their items from the slabs, which
  // must already hold every change), then writes the nodes. Updates
  // meta.roots and meta.node_count.
  void finish(unsigned threads, BuildMonitor& monitor);

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
  void remove(size_t tree, uint32_t slot, const std::vector<uint32_t>& path);
  void insert(size_t tree, const BuildItem& item, uint32_t bucket);
  uint32_t descend(size_t tree, const BuildItem& item);
  // The current parent of `node`, an ancestor (or the end) of `path`, a
  // removal path found before this build changed the tree.
  uint32_t parent_of(uint32_t node, const std::vector<uint32_t>& path) const;
  void unlink_empty_bucket(size_t tree, const std::vector<uint32_t>& path);
  std::vector<BuildItem> bucket_items(uint32_t id);
  void install_subtree(uint32_t id, const BuiltTree& subtree);

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
  const std::vector<MDB_val>* directory_ = nullptr;
  // Nodes of the tree being edited that took the place of a collapsed parent,
  // with their new parent. Every other node keeps the parent its path shows.
  std::unordered_map<uint32_t, uint32_t> reparented_;
  uint32_t lowest_touched_ = 0xFFFFFFFFu;  // the flagged ids lie in [lowest_touched_, state_.size())
};

}  // namespace arroy
