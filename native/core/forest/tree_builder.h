// Builds a forest of random-hyperplane trees in memory from the items of an
// index, on several threads. Each tree is a pure function of (items, seed,
// tree number), so the forest is the same whatever the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "records/bytes.h"
#include "format.h"
#include "forest/build_monitor.h"
#include "forest/planes.h"

namespace arroy {

struct BuiltNode {
  NodeTag tag;
  uint32_t left = 0, right = 0;  // local node numbers within the tree (splits)
  uint32_t first = 0, count = 0;  // bucket: range in BuiltTree::ids; split: normal at first * dimensions
  float offset = 0, extra = 0;
};

// Node 0 is the root. Nodes are numbered in creation order.
struct BuiltTree {
  std::vector<BuiltNode> nodes;
  std::vector<uint32_t> ids;     // bucket contents (slots), each bucket ascending
  std::vector<float> normals;    // split normals, dimensions floats each
};

struct ForestParams {
  uint32_t trees = 0;
  uint32_t bucket_capacity = 0;
  uint64_t seed = 0;
  unsigned threads = 1;
};

// One tree over `items`, on the calling thread (incremental builds use it to
// split a bucket that outgrew its capacity).
BuiltTree build_tree(const Geometry& geometry, const std::vector<BuildItem>& items, uint32_t bucket_capacity,
                     uint64_t seed, BuildMonitor& monitor);

// Appends the record of tree.nodes[local] to w, its children numbered by
// ids[child's local number] (the node ids the tree is stored under).
void append_built_node(ByteWriter& w, const BuiltTree& tree, uint32_t local, const std::vector<uint32_t>& ids,
                       uint32_t dimensions);

// Throws Error(Aborted) if monitor.cancelled is set during the build.
std::vector<BuiltTree> build_forest(const Geometry& geometry, const std::vector<BuildItem>& items,
                                    const ForestParams& params, BuildMonitor& monitor);

}  // namespace arroy
