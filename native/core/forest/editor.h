// Incremental maintenance of a stored forest: a build that changes a few
// items touches only the paths those items take through each tree, so its
// cost follows the size of the batch, not of the index.
//
// The routes come from route_batch (forest_router.h), found before anything
// is written. The editor then works in phases; trees share no nodes, so each
// phase but the last handles every tree as its own task, on all cores when
// every node can be read without LMDB (the routes' node directory):
// 1. edit: removals, then insertions, in each tree.
//    - A removal takes the slot out of the bucket its path ends in. A bucket
//      left empty disappears with its parent split, whose other child takes
//      the parent's place (parents come from the paths and the collapses so
//      far).
//    - An insertion adds the slot to the bucket its vector reached (routed
//      again from the root if that bucket has just collapsed).
// 2. grow: a bucket past its capacity becomes a subtree, grown from its
//    items and rooted at the bucket's own id (so no parent changes). Each is
//    a pure function of the bucket's items and id.
// 3. number (one thread): the subtrees' new nodes get ids, tree by tree, so
//    the result is the same for any number of threads.
// 4. encode: every changed node of a tree into one buffer of that tree.
// 5. write (one thread): every record, in ascending id order through one
//    cursor; deleted nodes go the same way.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "forest/tree_builder.h"
#include "forest/router.h"
#include "forest/planes.h"
#include "records/index_meta.h"
#include "records/node_records.h"
#include "items/index_databases.h"
#include "storage/transaction.h"

namespace arroy {

class ForestEditor {
 public:
  ForestEditor(Transaction& txn, const IndexDatabases& dbs, IndexMeta& meta, const Geometry& geometry,
               uint64_t seed);
  ~ForestEditor();

  // Removes the last tree of meta.roots whole: all its nodes are deleted by
  // apply(). Call before apply(); the routes of other trees stay valid.
  void drop_last_tree(const std::vector<MDB_val>* directory);

  // Applies `routes` to every tree in meta.roots (routes.trees may list more:
  // trees dropped since routing), then writes the changes and updates
  // meta.roots and meta.node_count. removals[i].slot is where the old version
  // was; insertions[j].slot where the new one is stored now. The slabs must
  // already hold every change: growing a bucket reads its items' vectors.
  void apply(const BatchRoutes& routes, const std::vector<BuildItem>& removals,
             const std::vector<BuildItem>& insertions, unsigned threads, BuildMonitor& monitor);

 private:
  struct Node;
  struct TreeEdit;
  // Where the vectors of growing buckets are read: the slab records by
  // number (scanned once, for tasks on other threads), or the transaction.
  struct SlotSource;

  void run_per_tree(std::vector<TreeEdit>& edits, bool parallel, unsigned threads, BuildMonitor& monitor,
                    void (ForestEditor::*phase)(TreeEdit&, BuildMonitor&));
  void edit_tree(TreeEdit& e, BuildMonitor& monitor);
  void grow_tree(TreeEdit& e, BuildMonitor& monitor);
  void encode_tree(TreeEdit& e, BuildMonitor& monitor);
  void write(std::vector<TreeEdit>& edits, BuildMonitor& monitor);

  NodeView stored(uint32_t id, const std::vector<MDB_val>* directory) const;
  Node* find(TreeEdit& e, uint32_t id) const;
  Node& load(TreeEdit& e, uint32_t id) const;
  void remove(TreeEdit& e, uint32_t slot, const RemovalPath& path) const;
  void insert(TreeEdit& e, const BuildItem& item, uint32_t bucket) const;
  uint32_t descend(TreeEdit& e, const BuildItem& item) const;
  uint32_t parent_of(const TreeEdit& e, uint32_t node, const RemovalPath& path) const;
  void unlink_empty_bucket(TreeEdit& e, const RemovalPath& path) const;

  Transaction& txn_;
  IndexDatabases dbs_;
  IndexMeta& meta_;
  Geometry geometry_;
  uint64_t seed_;
  uint32_t stored_nodes_;  // node ids below this are in the file
  // The phase inputs, for the per-tree tasks.
  const BatchRoutes* routes_ = nullptr;
  const std::vector<BuildItem>* removals_ = nullptr;
  const std::vector<BuildItem>* insertions_ = nullptr;
  std::unique_ptr<SlotSource> slots_;
  // Every node of the trees dropped whole.
  std::vector<uint32_t> dropped_;
};

}  // namespace arroy
