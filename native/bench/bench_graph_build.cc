// Times the neighbour graph's linking (GraphBuilder) on the first n vectors
// of an .fvecs file, without LMDB or Node, and measures what the graph gives
// back: recall@10 of a graph walk from the entry against brute force, and the
// distances it computed, for a ladder of ef. Comparing two builds at equal
// distances computed shows whether a faster build kept the graph's quality.
//
//   cmake -S . -B build-native -DARROY_NATIVE_BENCH=ON && cmake --build build-native --target bench_graph_build
//   build-native/bench_graph_build base.fvecs query.fvecs n cosine|euclidean [threads] [degree] [build_ef]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "defaults.h"
#include "distance/kernels.h"
#include "distance/metric.h"
#include "forest/rng.h"
#include "graph/beam_search.h"
#include "graph/graph_builder.h"
#include "graph/memory_space.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<float> read_fvecs(const char* path, size_t limit, uint32_t* dim) {
  FILE* f = std::fopen(path, "rb");
  if (!f) {
    std::perror(path);
    std::exit(2);
  }
  std::vector<float> out;
  int32_t d = 0;
  size_t rows = 0;
  while (rows < limit && std::fread(&d, 4, 1, f) == 1) {
    const size_t at = out.size();
    out.resize(at + size_t(d));
    if (std::fread(out.data() + at, 4, size_t(d), f) != size_t(d)) break;
    rows++;
  }
  std::fclose(f);
  *dim = uint32_t(d);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace arroy;
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s base.fvecs query.fvecs n cosine|euclidean [threads] [degree] [build_ef]\n", argv[0]);
    return 2;
  }
  uint32_t dim = 0, qdim = 0;
  const size_t n_limit = std::strtoul(argv[3], nullptr, 10);
  std::vector<float> base = read_fvecs(argv[1], n_limit, &dim);
  std::vector<float> queries = read_fvecs(argv[2], 200, &qdim);
  Metric metric;
  if (!parse_metric(argv[4], &metric)) return 2;
  const unsigned threads = argc > 5 ? unsigned(std::atoi(argv[5])) : 2;
  const size_t n = base.size() / dim, nq = queries.size() / dim;
  const Kernels& k = active_kernels();

  std::vector<GraphItem> items(n);
  float max_norm = 0;
  for (size_t i = 0; i < n; i++) {
    items[i] = {&base[i * dim], l2_norm(k, &base[i * dim], dim)};
    max_norm = std::max(max_norm, items[i].norm);
  }
  GraphParams params;
  params.degree = argc > 6 && std::atoi(argv[6]) > 0 ? uint32_t(std::atoi(argv[6])) : default_graph_degree(dim);
  params.build_ef = argc > 7 && std::atoi(argv[7]) > 0 ? uint32_t(std::atoi(argv[7])) : std::max(kGraphBuildEf, params.degree);
  params.threads = threads;

  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; i++) order[i] = i;
  Rng rng(42 ^ 0x9a7full);
  for (size_t i = order.size(); i > 1; i--) std::swap(order[i - 1], order[rng.below(static_cast<uint32_t>(i))]);

  GraphSpace space(k, metric, dim, max_norm);
  GraphBuilder builder(space, items, {}, kNoSlot, params);
  BuildMonitor monitor;
  const auto t0 = Clock::now();
  const std::clock_t c0 = std::clock();
  builder.insert(order, monitor);
  builder.finish(monitor);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;

  size_t edges = 0;
  for (size_t slot = 0; slot < builder.links().slot_count(); slot++) edges += builder.links()[slot].size();
  std::printf("n %zu dim %u degree %u build_ef %u threads %u: link %.2f s (cpu %.2f s), mean degree %.2f\n", n, dim,
              params.degree, params.build_ef, threads, seconds, cpu, double(edges) / double(n));

  // Brute-force truth for the queries, then a walk from the entry per ef.
  std::vector<std::vector<uint32_t>> truth(nq);
  for (size_t q = 0; q < nq; q++) {
    const float* qv = &queries[q * dim];
    const float qn = l2_norm(k, qv, dim);
    std::vector<GraphHit> all(n);
    for (uint32_t i = 0; i < n; i++) all[i] = {metric_distance(k, metric, qv, qn, items[i].values, items[i].norm, dim), i};
    std::partial_sort(all.begin(), all.begin() + 10, all.end());
    for (int j = 0; j < 10; j++) truth[q].push_back(all[j].slot);
  }
  BeamScratch scratch;
  for (uint32_t ef : {10u, 16u, 24u, 32u, 48u, 64u, 96u}) {
    double hits = 0, scored = 0;
    for (size_t q = 0; q < nq; q++) {
      const float* qv = &queries[q * dim];
      const float qn = l2_norm(k, qv, dim);
      auto view = memory_space(builder.rows(), builder.links(), [&](size_t, const GraphItem& item) {
        return metric_distance(k, metric, qv, qn, item.values, item.norm, dim);
      });
      uint32_t seeds[1] = {builder.entry()};
      scored += double(beam_search(view, seeds, 1, std::max(ef, 10u), 10u, UINT32_MAX, scratch).scored);
      for (size_t j = 0; j < 10 && j < scratch.best.size(); j++) {
        hits += std::count(truth[q].begin(), truth[q].end(), scratch.best[j].slot);
      }
    }
    std::printf("  ef %3u recall %.4f scored %.0f\n", ef, hits / double(nq * 10), scored / double(nq));
  }
  return 0;
}
