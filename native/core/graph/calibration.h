// Recall you can ask for: the build measures which ef reaches which recall on
// a sample of the index's own items, and a search turns a recall into an ef.
//
// Each sampled item is a held-out query: its exact 10 nearest other items are
// computed by brute force, and the real query path (forest seeds, then the
// graph) searches with the item's vector while never reaching the item
// itself, at every ef of a ladder. The measured points go into the graph
// record (format.h), so the curve belongs to the data the index holds,
// whatever its dimension, size or distribution.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "distance/kernels.h"
#include "distance/metric.h"
#include "forest/build_monitor.h"
#include "graph/graph_space.h"
#include "records/graph_records.h"

namespace arroy {

struct CalibrationQuery {
  uint32_t slot = 0;
  std::vector<uint32_t> truth;  // the exact nearest other slots, nearest first
};

// Up to `count` live items (drawn by seed) and their exact kCalibrationK
// nearest others under the metric's own distance: among all other items, or,
// with `held_out`, among the items that are not themselves drawn (the index
// the curve is measured on then holds none of the queries). items: by slot,
// null values for free slots.
std::vector<CalibrationQuery> calibration_queries(const Kernels& kernels, Metric metric, uint32_t dimensions,
                                                  const std::vector<GraphItem>& items, uint64_t seed, size_t count,
                                                  bool held_out, unsigned threads, BuildMonitor& monitor);

// What one search returned: result slots (nearest first) and distances computed.
struct CalibrationAnswer {
  std::vector<uint32_t> slots;
  uint64_t scored = 0;
};
using CalibrationSearch = std::function<CalibrationAnswer(const CalibrationQuery& query, uint32_t ef)>;

// The progress steps of a calibration: the ground truth, then each ef measured.
uint32_t calibration_steps();

// Measures recall@kCalibrationK along the ef ladder (ascending, stopping once
// the recall is all but perfect) and fills record.curve and record.answers.
void measure_recall_curve(const std::vector<CalibrationQuery>& queries, const CalibrationSearch& search,
                          GraphRecord& record, BuildMonitor& monitor);

// The ef a search of k results uses to reach `recall` (aiming a little above
// it: kRecallMissShare, defaults.h): the smallest ef whose
// measured mean recall, less two standard errors over the queries, reaches it (interpolated linearly
// between ladder points), scaled by k / kCalibrationK for larger k. It may
// be below k: the search still returns k results (graph/beam_search.h).
// Past the curve's end: twice the largest ef measured.
uint32_t ef_for_recall(const GraphRecord& record, double recall, uint32_t k);

// The mean distances a search at `ef` computes, read off the curve (for the
// cost model that weighs the graph against an exact scan of a filter).
double graph_search_cost(const GraphRecord& record, uint32_t ef);

}  // namespace arroy
