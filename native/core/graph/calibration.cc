#include "graph/calibration.h"

#include <algorithm>
#include <cmath>

#include "defaults.h"
#include "forest/rng.h"
#include "forest/thread_pool.h"
#include "graph/beam_search.h"
#include "limits.h"

namespace arroy {

namespace {

// ef values measured: steps of sqrt(2) from a quarter of kCalibrationK (3)
// to 1,448, so an interpolated ef is never far from a measured one. The
// rungs below kCalibrationK are beams narrower than the results they keep:
// where ef = k already passes a recall asked for (the 784-d Fashion-MNIST
// reaches 0.93 there), a narrower beam meets it with fewer distances.
std::vector<uint32_t> ef_ladder() {
  std::vector<uint32_t> ladder;
  for (double ef = kCalibrationK / 4.0; ef < 1500; ef *= std::sqrt(2.0)) {
    ladder.push_back(static_cast<uint32_t>(std::lround(ef)));
  }
  return ladder;
}

// What the recall of an unseen query stream is at least, with ~97.7%
// confidence, given the sample's mean and its standard error.
double lower_bound(const CurvePoint& p) { return p.recall - 2.0 * p.std_error; }

// Past this mean recall the ladder stops: the last steps cost the most and a
// search asking for more gets twice the last ef.
constexpr double kLadderEnd = 0.999;

}  // namespace

uint32_t calibration_steps() { return 1 + static_cast<uint32_t>(ef_ladder().size()); }

std::vector<CalibrationQuery> calibration_queries(const Kernels& kernels, Metric metric, uint32_t dimensions,
                                                  const std::vector<GraphItem>& items, uint64_t seed, size_t count,
                                                  bool held_out, unsigned threads, BuildMonitor& monitor) {
  std::vector<uint32_t> live;
  for (uint32_t slot = 0; slot < items.size(); slot++) {
    if (items[slot].values) live.push_back(slot);
  }
  std::vector<CalibrationQuery> queries;
  if (live.size() < 2) return queries;
  // A partial Fisher-Yates shuffle picks the sample without repeats.
  Rng rng(seed ^ 0xca11b4a7e5ull);
  count = std::min(count, live.size() - 1);
  for (size_t i = 0; i < count; i++) std::swap(live[i], live[i + rng.below(static_cast<uint32_t>(live.size() - i))]);
  queries.resize(count);
  for (size_t i = 0; i < count; i++) queries[i].slot = live[i];
  // The candidates of the exact answers: every live item, or those not drawn.
  if (held_out) live.erase(live.begin(), live.begin() + count);
  std::sort(live.begin(), live.end());

  const size_t k = std::min<size_t>(kCalibrationK, held_out ? live.size() : live.size() - 1);
  run_parallel(count, threads, monitor, [&](size_t q) {
    const GraphItem& query = items[queries[q].slot];
    std::vector<GraphHit> best;  // max-heap of the k nearest
    best.reserve(k + 1);
    for (uint32_t slot : live) {
      if (slot == queries[q].slot) continue;
      const GraphHit hit{metric_distance(kernels, metric, query.values, query.norm, items[slot].values,
                                         items[slot].norm, dimensions),
                         slot};
      if (best.size() < k) {
        best.push_back(hit);
        std::push_heap(best.begin(), best.end());
      } else if (hit < best.front()) {
        std::pop_heap(best.begin(), best.end());
        best.back() = hit;
        std::push_heap(best.begin(), best.end());
      }
    }
    std::sort(best.begin(), best.end());
    for (const GraphHit& h : best) queries[q].truth.push_back(h.slot);
    if ((q & 15) == 0) check_cancelled(monitor);
  });
  monitor.done++;
  return queries;
}

void measure_recall_curve(const std::vector<CalibrationQuery>& queries, const CalibrationSearch& search,
                          GraphRecord& record, BuildMonitor& monitor) {
  record.curve.clear();
  record.answers = 0;
  for (const CalibrationQuery& q : queries) record.answers += static_cast<uint32_t>(q.truth.size());
  if (record.answers == 0) return;
  for (uint32_t ef : ef_ladder()) {
    uint64_t found = 0, scored = 0;
    double sum = 0, squares = 0;
    for (const CalibrationQuery& q : queries) {
      CalibrationAnswer answer = search(q, ef);
      scored += answer.scored;
      size_t hits = 0;
      const size_t k = std::min(answer.slots.size(), q.truth.size());
      for (size_t i = 0; i < k; i++) {
        if (std::find(q.truth.begin(), q.truth.end(), answer.slots[i]) != q.truth.end()) hits++;
      }
      found += hits;
      const double r = q.truth.empty() ? 1.0 : double(hits) / q.truth.size();
      sum += r;
      squares += r * r;
    }
    check_cancelled(monitor);
    monitor.done++;
    monitor.tick_if_due();
    const double n = double(queries.size());
    const double mean = sum / n;
    const double variance = n > 1 ? std::max(0.0, (squares - n * mean * mean) / (n - 1)) : 0.0;
    record.curve.push_back({ef, float(double(found) / record.answers), float(std::sqrt(variance / n)),
                            float(double(scored) / n)});
    if (found == record.answers || double(found) / record.answers >= kLadderEnd) break;
  }
}

uint32_t ef_for_recall(const GraphRecord& record, double asked, uint32_t k) {
  const double recall = 1.0 - kRecallMissShare * (1.0 - asked);
  const double scale = std::max(1.0, double(k) / kCalibrationK);
  auto scaled = [&](double ef) {
    return static_cast<uint32_t>(std::clamp(std::ceil(ef * scale), 1.0, double(kMaxSearchEf)));
  };
  const auto& curve = record.curve;
  if (curve.empty()) return scaled(kGraphBuildEf);
  for (size_t i = 0; i < curve.size(); i++) {
    const double here = lower_bound(curve[i]);
    if (here < recall) continue;
    if (i == 0) return scaled(curve[0].ef);
    const double before = lower_bound(curve[i - 1]);
    // Linear between two ladder points (they are only sqrt(2) apart). No
    // log or exp: the prebuilt addon must not need libm's 2.29 versions.
    const double t = here > before ? (recall - before) / (here - before) : 1.0;
    return scaled(curve[i - 1].ef + std::clamp(t, 0.0, 1.0) * (double(curve[i].ef) - curve[i - 1].ef));
  }
  return scaled(2.0 * curve.back().ef);
}

double graph_search_cost(const GraphRecord& record, uint32_t ef) {
  const auto& curve = record.curve;
  if (curve.empty()) return double(ef) * 10;
  if (ef <= curve.front().ef) return curve.front().scored * double(ef) / curve.front().ef;
  for (size_t i = 1; i < curve.size(); i++) {
    if (ef <= curve[i].ef) {
      const double t = double(ef - curve[i - 1].ef) / double(curve[i].ef - curve[i - 1].ef);
      return curve[i - 1].scored + t * (curve[i].scored - curve[i - 1].scored);
    }
  }
  return curve.back().scored * double(ef) / curve.back().ef;
}

}  // namespace arroy
