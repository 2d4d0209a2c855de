// annoy_bench: baseline measurement of Spotify's Annoy (C++ core) for bench/RESULTS.md.
//
// What it measures, on one TEXMEX dataset directory (the same files our own benchmark reads):
//   - build time (seconds) of an Annoy forest with n_trees trees, seed 42;
//   - size in bytes of the saved index file;
//   - for each search_k: recall@10 against groundtruth.ivecs and single-threaded QPS
//     (k = 10; best of 3 timed passes over all queries, after an untimed pass that scores
//     recall), queries served from the mmapped file loaded back with load(), as Annoy users do.
// Why: so that bench/RESULTS.md can report arroy-ts next to Annoy as ratios, both measured
// in the same run on the same machine and data.
//
// Annoy itself is NOT part of this repository: annoylib.h and kissrandom.h come from Debian's
// r-cran-rcppannoy package (/usr/lib/R/site-library/RcppAnnoy/include); bench/annoy/build.sh
// installs it. This file is our own code that only #includes that header.
//
// Usage: annoy_bench <dataset-dir> <angular|euclidean> <n_trees> <search_k,search_k,...> <out.json>
// Files: base.fvecs, query.fvecs (either may be gzipped as *.fvecs.gz), groundtruth.ivecs.
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "kissrandom.h"
#include "annoylib.h"

#ifndef ANNOY_HEADER_PATH
#define ANNOY_HEADER_PATH "annoylib.h"
#endif

#ifdef ANNOYLIB_MULTITHREADED_BUILD
typedef AnnoyIndexMultiThreadedBuildPolicy BuildPolicy;
static const char* kBuildPolicy = "multi-threaded";
#else
typedef AnnoyIndexSingleThreadedBuildPolicy BuildPolicy;
static const char* kBuildPolicy = "single-threaded";
#endif

#if defined(USE_AVX512)
static const char* kSimd = "avx512";
#elif defined(USE_AVX)
static const char* kSimd = "avx";
#else
static const char* kSimd = "none";
#endif

static const int kK = 10;
static const int kPasses = 3;
static const uint64_t kSeed = 42;

[[noreturn]] static void die(const std::string& msg) {
  fprintf(stderr, "annoy_bench: %s\n", msg.c_str());
  exit(1);
}

static bool file_exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

// Reads a TEXMEX .fvecs/.ivecs file (per row: int32 dim, then dim 4-byte values) into a flat
// array. zlib's gzread reads plain files as-is, so "name" or "name.gz" both work.
template <typename T>
static std::vector<T> read_vecs(const std::string& dir, const std::string& name, int* dim, size_t* rows) {
  std::string path = dir + "/" + name;
  if (!file_exists(path)) path += ".gz";
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) die("cannot open " + dir + "/" + name + "[.gz]");
  gzbuffer(f, 1 << 20);
  std::vector<T> out;
  *dim = -1;
  *rows = 0;
  int32_t d;
  while (gzread(f, &d, sizeof d) == (int)sizeof d) {
    if (*dim == -1) *dim = d;
    if (d != *dim || d <= 0) die("inconsistent row dimension in " + path);
    size_t off = out.size();
    out.resize(off + d);
    if (gzread(f, out.data() + off, d * sizeof(T)) != (int)(d * sizeof(T))) die("truncated file " + path);
    ++*rows;
  }
  gzclose(f);
  if (*rows == 0) die("empty file " + path);
  return out;
}

static double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename Distance>
static int run(const std::string& dir, const std::string& metric, int n_trees,
               const std::vector<int>& search_ks, const std::string& out_path) {
  int dim, qdim, gdim;
  size_t n, nq, ng;
  std::vector<float> base = read_vecs<float>(dir, "base.fvecs", &dim, &n);
  std::vector<float> queries = read_vecs<float>(dir, "query.fvecs", &qdim, &nq);
  std::vector<int32_t> gt = read_vecs<int32_t>(dir, "groundtruth.ivecs", &gdim, &ng);
  if (qdim != dim) die("query dimension differs from base dimension");
  if (ng != nq || gdim < kK) die("groundtruth must have one row of >= 10 ids per query");
  fprintf(stderr, "%s: %zu base x %d dims, %zu queries, metric %s, %d trees\n", dir.c_str(), n, dim, nq,
          metric.c_str(), n_trees);

  AnnoyIndex<int32_t, float, Distance, Kiss64Random, BuildPolicy> index(dim);
  index.set_seed(kSeed);
  for (size_t i = 0; i < n; i++) index.add_item((int32_t)i, &base[i * dim]);
  base.clear();
  base.shrink_to_fit();

  // n_threads = -1: the multi-threaded policy uses std::thread::hardware_concurrency() threads.
  int build_threads = 1;
#ifdef ANNOYLIB_MULTITHREADED_BUILD
  build_threads = std::max(1, (int)std::thread::hardware_concurrency());
#endif
  char* err = nullptr;
  double t0 = now_seconds();
  if (!index.build(n_trees, -1, &err)) die(std::string("build failed: ") + (err ? err : "?"));
  double build_seconds = now_seconds() - t0;
  fprintf(stderr, "built in %.2f s (%s, %d thread(s))\n", build_seconds, kBuildPolicy, build_threads);

  const char* tmpdir = getenv("TMPDIR");
  std::string tmpl = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/annoy_bench_XXXXXX";
  std::vector<char> tmp_path(tmpl.begin(), tmpl.end());
  tmp_path.push_back('\0');
  int fd = mkstemp(tmp_path.data());
  if (fd == -1) die("cannot create a temporary file from " + tmpl);
  close(fd);
  if (!index.save(tmp_path.data(), false, &err)) die(std::string("save failed: ") + (err ? err : "?"));
  struct stat st;
  stat(tmp_path.data(), &st);
  long long index_bytes = (long long)st.st_size;
  // save() already remaps the file; unload and load explicitly so queries surely run on the mmapped file.
  index.unload();
  if (!index.load(tmp_path.data(), false, &err)) die(std::string("load failed: ") + (err ? err : "?"));
  if ((size_t)index.get_n_items() != n || index.get_n_trees() != n_trees) die("loaded index does not match");

  std::string points;
  std::vector<int32_t> ids;
  ids.reserve(kK);
  for (int search_k : search_ks) {
    // Untimed pass: scores recall (results are deterministic) and warms the page cache.
    size_t hits = 0;
    for (size_t q = 0; q < nq; q++) {
      ids.clear();
      index.get_nns_by_vector(&queries[q * dim], kK, search_k, &ids, nullptr);
      std::unordered_set<int32_t> truth(&gt[q * gdim], &gt[q * gdim] + kK);
      for (int32_t id : ids) hits += truth.count(id);
    }
    double recall = (double)hits / (double)(nq * kK);
    // Timed passes: nothing but the queries; keep the fastest.
    double best = 1e300;
    for (int pass = 0; pass < kPasses; pass++) {
      double t = now_seconds();
      for (size_t q = 0; q < nq; q++) {
        ids.clear();
        index.get_nns_by_vector(&queries[q * dim], kK, search_k, &ids, nullptr);
      }
      best = std::min(best, now_seconds() - t);
    }
    double qps = nq / best;
    fprintf(stderr, "  search_k=%d recall@10=%.4f qps=%.0f\n", search_k, recall, qps);
    char buf[160];
    snprintf(buf, sizeof buf, "%s{\"search_k\":%d,\"recall\":%.4f,\"qps\":%.1f}", points.empty() ? "" : ",",
             search_k, recall, qps);
    points += buf;
  }
  index.unload();
  unlink(tmp_path.data());

  FILE* out = fopen(out_path.c_str(), "w");
  if (!out) die("cannot write " + out_path);
  fprintf(out,
          "{\"library\":\"annoy\",\"annoy_header\":\"%s\",\"dataset\":\"%s\",\"metric\":\"%s\","
          "\"n_items\":%zu,\"dimensions\":%d,\"n_queries\":%zu,\"k\":%d,\"seed\":%llu,"
          "\"build_policy\":\"%s\",\"build_threads\":%d,\"simd\":\"%s\",\"qps_passes\":%d,"
          "\"n_trees\":%d,\"build_seconds\":%.3f,\"index_bytes\":%lld,\"points\":[%s]}\n",
          ANNOY_HEADER_PATH, dir.c_str(), metric.c_str(), n, dim, nq, kK, (unsigned long long)kSeed,
          kBuildPolicy, build_threads, kSimd, kPasses, n_trees, build_seconds, index_bytes, points.c_str());
  fclose(out);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s <dataset-dir> <angular|euclidean> <n_trees> <search_k,...> <out.json>\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1], metric = argv[2];
  int n_trees = atoi(argv[3]);
  if (n_trees <= 0) die("n_trees must be a positive integer");
  std::vector<int> search_ks;
  for (char* tok = strtok(argv[4], ","); tok; tok = strtok(nullptr, ",")) {
    char* end;
    long v = strtol(tok, &end, 10);
    if (*end || v == 0 || v < -1) die(std::string("bad search_k: ") + tok);
    search_ks.push_back((int)v);
  }
  if (search_ks.empty()) die("no search_k given");
  if (metric == "angular") return run<Angular>(dir, metric, n_trees, search_ks, argv[5]);
  if (metric == "euclidean") return run<Euclidean>(dir, metric, n_trees, search_ks, argv[5]);
  die("metric must be angular or euclidean");
}
