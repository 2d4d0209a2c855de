// Helpers of the index tests (test_search, test_build, test_catalog,
// test_environment, test_inspect, test_validation): items kept beside an
// index as the truth, a brute-force reference computed in double, and an
// independent checker of everything a build leaves in the file. They report
// through the harness (CHECK), so they run inside a TEST.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "distance/metric.h"
#include "fixtures.h"
#include "index.h"

namespace arroy_test {

// The core's names every index test speaks; a test file says
// `using namespace arroy_test;` and has them all.
using arroy::BuildOptions;
using arroy::BuildReport;
using arroy::ErrorCode;
using arroy::Hit;
using arroy::Index;
using arroy::Metric;
using arroy::OpenOptions;

// What an index should hold: vectors by id.
using Vectors = std::map<uint32_t, std::vector<float>>;

// `count` items of normal_vector()s, under ids drawn from the whole u32 range,
// 0 and 0xFFFFFFFF among them.
Vectors random_items(std::mt19937_64& rng, uint32_t count, uint32_t dimensions);

// Adds every item as a pending change.
void add_all(Index& index, const Vectors& items);

// Creates index `name` of `metric` in the file at `path` (its dimensions
// those of the items), adds `items` and builds it.
std::unique_ptr<Index> built_index(const std::string& path, Metric metric, const Vectors& items,
                                   const std::string& name = "vectors");

// The distance of `metric` between a and b, computed in double.
double reference_distance(Metric metric, const std::vector<float>& a, const std::vector<float>& b);

// Checks that a search scoring every item returns exactly the brute-force
// top k: same distances rank by rank, and the same ids wherever the reference
// has no near-tie that float rounding could reorder.
void check_exact_search(Index& index, Metric metric, const Vectors& items, const std::vector<float>& query,
                        uint32_t k);

// Every stored vector reads back bit for bit; every id of `absent` is neither
// stored nor searchable by id.
void check_gets(Index& index, const Vectors& items, const std::set<uint32_t>& absent);

// What check_file() found.
struct FileSummary {
  uint32_t items = 0;
  uint32_t trees = 0;
  uint32_t nodes = 0;         // meta.node_count: a bound on node ids
  uint64_t stored_nodes = 0;  // records in the nodes database, every one reachable
  uint32_t buckets = 0;
};

// Reads the committed state of index `name` of the file at `path` through
// its own read Transaction and ReadView, independently of any Index object,
// and checks the format's invariants: every id record points at a live slot
// holding that id, every slot below slot_count is live or listed free, and
// every tree, walked from the metadata's roots, reaches each node once and
// holds each live slot in exactly one bucket (buckets ascending, within
// capacity, node ids below node_count).
FileSummary check_file(const std::string& path, const std::string& name, bool read_only = false);

}  // namespace arroy_test
