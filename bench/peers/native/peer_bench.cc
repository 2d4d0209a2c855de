// peer_bench: the C++ peers of `npm run bench:peers` (Annoy and hnswlib, each through its own
// C++ API), plus the brute-force ground truth of the scaling runs.
//
// Neither library is part of this repository. Their headers come from Debian packages
// (r-cran-rcppannoy: annoylib.h, kissrandom.h; libhnswlib-dev: hnswlib/hnswlib.h) that
// bench/peers/native/build.sh installs with apt-get when missing; this file only #includes them.
//
// Every command works on a prepared data directory (written by bench/peers/data.mjs):
//   meta.txt     "<n> <dim> <queries> <cosine|euclidean> <gt_k>"
//   base.f32     n x dim float32, row-major
//   queries.f32  queries x dim float32
//   gt.i32       queries x gt_k int32 ids, nearest first (gt_k >= 10)
//
// Commands (each prints one JSON object on stdout; progress goes to stderr):
//   peer_bench truth  <data>                       writes <data>/gt.i32 (k = 10) by brute force
//   peer_bench build  annoy   <data> <file> <trees>
//   peer_bench build  hnswlib <data> <file> <M> <efConstruction> <threads>
//   peer_bench search annoy|hnswlib <data> <file> <v1,v2,...> <stop_recall>
//        sweeps the knob (Annoy search_k, hnswlib ef) in the order given; stops after the first
//        value whose recall@10 reaches stop_recall; reports peak RSS of this process
//   peer_bench cold   annoy|hnswlib <data> <file> <knob>
//        a fresh process: open the index, answer query 0; reports both times
//   peer_bench work   hnswlib <data> <file> <v1,...>
//        distance computations per query at each ef (counted by a wrapping space), no timing
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "kissrandom.h"
#include "annoylib.h"
#include <hnswlib/hnswlib.h>

namespace {

constexpr int kK = 10;
constexpr int kMaxPasses = 3;
constexpr double kPassBudgetSeconds = 4.0;  // a pass slower than this is not repeated
constexpr uint64_t kSeed = 42;

[[noreturn]] void die(const std::string& msg) {
  fprintf(stderr, "peer_bench: %s\n", msg.c_str());
  exit(1);
}

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// CPU time of this process (every thread), in seconds: what the timed passes measure, so that
// time other processes of a shared machine held the core is not counted (Node does the same).
double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct Data {
  size_t n = 0, dim = 0, nq = 0, gt_k = 0;
  bool cosine = false;
  std::string dir;
  std::vector<float> base, queries;
  std::vector<int32_t> gt;
};

template <typename T>
std::vector<T> read_raw(const std::string& path, size_t count) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) die("cannot open " + path);
  std::vector<T> out(count);
  if (fread(out.data(), sizeof(T), count, f) != count) die("short read from " + path);
  fclose(f);
  return out;
}

// Reads meta.txt and the queries; the base vectors and ground truth only when asked.
Data load(const std::string& dir, bool base, bool truth) {
  Data d;
  d.dir = dir;
  FILE* f = fopen((dir + "/meta.txt").c_str(), "r");
  if (!f) die("cannot open " + dir + "/meta.txt");
  char metric[32];
  if (fscanf(f, "%zu %zu %zu %31s %zu", &d.n, &d.dim, &d.nq, metric, &d.gt_k) != 5) die("bad meta.txt");
  fclose(f);
  d.cosine = std::string(metric) == "cosine";
  if (!d.cosine && std::string(metric) != "euclidean") die("metric must be cosine or euclidean");
  d.queries = read_raw<float>(dir + "/queries.f32", d.nq * d.dim);
  if (base) d.base = read_raw<float>(dir + "/base.f32", d.n * d.dim);
  if (truth) d.gt = read_raw<int32_t>(dir + "/gt.i32", d.nq * d.gt_k);
  return d;
}

std::vector<double> parse_list(const char* text) {
  std::vector<double> out;
  std::string s(text);
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(atof(s.substr(start, comma - start).c_str()));
    start = comma + 1;
  }
  if (out.empty()) die("empty list");
  return out;
}

long long file_bytes(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) die("cannot stat " + path);
  return (long long)st.st_size;
}

// Peak and current memory of this process, from /proc/self/status (kB).
std::string memory_json() {
  FILE* f = fopen("/proc/self/status", "r");
  long hwm = -1, rss = -1, anon = -1, file = -1;
  char line[256];
  while (f && fgets(line, sizeof line, f)) {
    sscanf(line, "VmHWM: %ld", &hwm);
    sscanf(line, "VmRSS: %ld", &rss);
    sscanf(line, "RssAnon: %ld", &anon);
    sscanf(line, "RssFile: %ld", &file);
  }
  if (f) fclose(f);
  char buf[200];
  snprintf(buf, sizeof buf, "\"peak_rss_bytes\":%lld,\"rss_bytes\":%lld,\"rss_anon_bytes\":%lld,\"rss_file_bytes\":%lld",
           hwm * 1024LL, rss * 1024LL, anon * 1024LL, file * 1024LL);
  return buf;
}

double recall_of(const Data& d, const std::vector<std::vector<int32_t>>& results) {
  size_t hits = 0;
  for (size_t q = 0; q < d.nq; q++) {
    std::unordered_set<int32_t> truth(&d.gt[q * d.gt_k], &d.gt[q * d.gt_k] + kK);
    for (size_t j = 0; j < results[q].size() && j < (size_t)kK; j++) hits += truth.count(results[q][j]);
  }
  return double(hits) / double(d.nq * kK);
}

// ------------------------------------------------------------------ ground truth

// Exact 10 nearest of each query: a float pass keeps the 40 best, re-ranked in double.
void truth(const std::string& dir) {
  Data d = load(dir, true, false);
  const size_t dim = d.dim;
  std::vector<double> norms(d.n, 1.0);
  if (d.cosine) {
    for (size_t i = 0; i < d.n; i++) {
      double s = 0;
      for (size_t j = 0; j < dim; j++) s += double(d.base[i * dim + j]) * d.base[i * dim + j];
      norms[i] = std::sqrt(s);
    }
  }
  std::vector<int32_t> out(d.nq * kK);
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    constexpr size_t keep = 40;
    std::vector<std::pair<float, int32_t>> scored(d.n);
    for (size_t q; (q = next++) < d.nq;) {
      const float* x = &d.queries[q * dim];
      for (size_t i = 0; i < d.n; i++) {
        const float* y = &d.base[i * dim];
        float s = 0;
        if (d.cosine) {
          for (size_t j = 0; j < dim; j++) s += x[j] * y[j];
          s = -s / float(norms[i]);
        } else {
          for (size_t j = 0; j < dim; j++) s += (x[j] - y[j]) * (x[j] - y[j]);
        }
        scored[i] = {s, int32_t(i)};
      }
      size_t m = std::min(keep, d.n);
      std::partial_sort(scored.begin(), scored.begin() + m, scored.end());
      std::vector<std::pair<double, int32_t>> exact(m);
      for (size_t r = 0; r < m; r++) {
        const float* y = &d.base[size_t(scored[r].second) * dim];
        double s = 0;
        if (d.cosine) {
          for (size_t j = 0; j < dim; j++) s += double(x[j]) * y[j];
          s = -s / norms[scored[r].second];
        } else {
          for (size_t j = 0; j < dim; j++) s += (double(x[j]) - y[j]) * (double(x[j]) - y[j]);
        }
        exact[r] = {s, scored[r].second};
      }
      std::sort(exact.begin(), exact.end());
      for (int r = 0; r < kK; r++) out[q * kK + r] = exact[r].second;
    }
  };
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; t++) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  FILE* f = fopen((dir + "/gt.i32").c_str(), "wb");
  if (!f || fwrite(out.data(), sizeof(int32_t), out.size(), f) != out.size()) die("cannot write gt.i32");
  fclose(f);
  printf("{\"queries\":%zu,\"k\":%d,\"threads\":%u}\n", d.nq, kK, threads);
}

// ------------------------------------------------------------------ Annoy

typedef AnnoyIndex<int32_t, float, Angular, Kiss64Random, AnnoyIndexMultiThreadedBuildPolicy> AnnoyAngular;
typedef AnnoyIndex<int32_t, float, Euclidean, Kiss64Random, AnnoyIndexMultiThreadedBuildPolicy> AnnoyEuclidean;

template <typename A>
void annoy_build(const Data& d, const std::string& file, int trees) {
  double t0 = now();
  A index((int)d.dim);
  index.set_seed(kSeed);
  for (size_t i = 0; i < d.n; i++) index.add_item((int32_t)i, &d.base[i * d.dim]);
  char* err = nullptr;
  if (!index.build(trees, -1, &err)) die(std::string("Annoy build: ") + (err ? err : "?"));
  unlink(file.c_str());
  if (!index.save(file.c_str(), false, &err)) die(std::string("Annoy save: ") + (err ? err : "?"));
  double seconds = now() - t0;
  index.unload();
  printf("{\"build_seconds\":%.3f,\"build_threads\":%u,\"index_bytes\":%lld}\n", seconds,
         std::max(1u, std::thread::hardware_concurrency()), file_bytes(file));
}

// ------------------------------------------------------------------ hnswlib

// Cosine as the hnswlib Python binding does it: unit vectors under inner product.
void normalize(float* v, size_t dim) {
  float s = 0;
  for (size_t j = 0; j < dim; j++) s += v[j] * v[j];
  if (s > 0) {
    float inv = 1.0f / std::sqrt(s);
    for (size_t j = 0; j < dim; j++) v[j] *= inv;
  }
}

hnswlib::SpaceInterface<float>* make_space(const Data& d) {
  if (d.cosine) return new hnswlib::InnerProductSpace(d.dim);
  return new hnswlib::L2Space(d.dim);
}

void hnsw_build(Data& d, const std::string& file, size_t m, size_t ef_construction, unsigned threads) {
  double t0 = now();
  if (d.cosine)
    for (size_t i = 0; i < d.n; i++) normalize(&d.base[i * d.dim], d.dim);
  auto* space = make_space(d);
  auto* index = new hnswlib::HierarchicalNSW<float>(space, d.n, m, ef_construction, 100);
  // The first item alone (it becomes the entry point), then every thread takes the next id.
  index->addPoint(&d.base[0], 0);
  std::atomic<size_t> next{1};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; t++) {
    pool.emplace_back([&]() {
      for (size_t i; (i = next++) < d.n;) index->addPoint(&d.base[i * d.dim], i);
    });
  }
  for (auto& t : pool) t.join();
  index->saveIndex(file);
  double seconds = now() - t0;
  printf("{\"build_seconds\":%.3f,\"build_threads\":%u,\"index_bytes\":%lld}\n", seconds, threads, file_bytes(file));
  delete index;
  delete space;
}

// ------------------------------------------------------------------ searching

// One library behind a uniform face: open, set the knob, answer one query.
struct Searcher {
  virtual ~Searcher() = default;
  virtual void set_knob(double value) = 0;
  virtual void query(const float* q, std::vector<int32_t>& out) = 0;
};

template <typename A>
struct AnnoySearcher : Searcher {
  A index;
  int search_k = -1;
  std::vector<float> scratch;
  AnnoySearcher(const Data& d, const std::string& file) : index((int)d.dim) {
    char* err = nullptr;
    if (!index.load(file.c_str(), false, &err)) die(std::string("Annoy load: ") + (err ? err : "?"));
  }
  void set_knob(double v) override { search_k = (int)v; }
  void query(const float* q, std::vector<int32_t>& out) override {
    out.clear();
    index.get_nns_by_vector(q, kK, search_k, &out, nullptr);
  }
};

struct HnswSearcher : Searcher {
  hnswlib::SpaceInterface<float>* space;
  hnswlib::HierarchicalNSW<float>* index;
  bool cosine;
  size_t dim;
  std::vector<float> unit;
  HnswSearcher(const Data& d, const std::string& file, hnswlib::SpaceInterface<float>* s = nullptr)
      : space(s ? s : make_space(d)), cosine(d.cosine), dim(d.dim), unit(d.dim) {
    index = new hnswlib::HierarchicalNSW<float>(space, file, false, 0);
  }
  ~HnswSearcher() override {
    delete index;
    delete space;
  }
  void set_knob(double v) override { index->setEf((size_t)v); }
  void query(const float* q, std::vector<int32_t>& out) override {
    const float* x = q;
    if (cosine) {  // normalising the query is part of the work, as in hnswlib's bindings
      std::copy(q, q + dim, unit.begin());
      normalize(unit.data(), dim);
      x = unit.data();
    }
    auto result = index->searchKnn(x, kK);
    out.resize(result.size());
    for (size_t i = result.size(); i-- > 0;) {
      out[i] = (int32_t)result.top().second;
      result.pop();
    }
  }
};

Searcher* open_searcher(const std::string& lib, const Data& d, const std::string& file) {
  if (lib == "annoy") {
    if (d.cosine) return new AnnoySearcher<AnnoyAngular>(d, file);
    return new AnnoySearcher<AnnoyEuclidean>(d, file);
  }
  if (lib == "hnswlib") return new HnswSearcher(d, file);
  die("library must be annoy or hnswlib");
}

void search(const std::string& lib, const std::string& dir, const std::string& file, const std::vector<double>& knobs,
            double stop_recall) {
  Data d = load(dir, false, true);
  double t0 = now();
  Searcher* s = open_searcher(lib, d, file);
  double open_ms = (now() - t0) * 1000;
  std::vector<std::vector<int32_t>> results(d.nq);
  std::vector<int32_t> ids;
  std::string points;
  for (double knob : knobs) {
    s->set_knob(knob);
    for (size_t q = 0; q < d.nq; q++) s->query(&d.queries[q * d.dim], results[q]);  // untimed: recall, warm-up
    double recall = recall_of(d, results);
    double best = 1e300, best_wall = 1e300;
    int passes = 0;
    for (; passes < kMaxPasses; passes++) {
      double wall = now();
      double t = cpu_now();
      for (size_t q = 0; q < d.nq; q++) s->query(&d.queries[q * d.dim], ids);
      double took = cpu_now() - t;
      best_wall = std::min(best_wall, now() - wall);
      best = std::min(best, took);
      if (took > kPassBudgetSeconds) {
        passes++;
        break;
      }
    }
    fprintf(stderr, "  %s knob=%g recall@10=%.4f qps=%.0f\n", lib.c_str(), knob, recall, d.nq / best);
    char buf[240];
    snprintf(buf, sizeof buf, "%s{\"knob\":%g,\"recall\":%.4f,\"qps\":%.1f,\"wall_qps\":%.1f,\"passes\":%d}",
             points.empty() ? "" : ",", knob, recall, d.nq / best, d.nq / best_wall, passes);
    points += buf;
    if (recall >= stop_recall) break;
  }
  printf("{\"open_ms\":%.3f,%s,\"points\":[%s]}\n", open_ms, memory_json().c_str(), points.c_str());
  delete s;
}

void cold(const std::string& lib, const std::string& dir, const std::string& file, double knob) {
  Data d = load(dir, false, false);
  double t0 = now();
  Searcher* s = open_searcher(lib, d, file);
  double t1 = now();
  s->set_knob(knob);
  std::vector<int32_t> ids;
  s->query(&d.queries[0], ids);
  double t2 = now();
  printf("{\"open_ms\":%.3f,\"first_query_ms\":%.3f,\"results\":%zu,%s}\n", (t1 - t0) * 1000, (t2 - t1) * 1000, ids.size(),
         memory_json().c_str());
  delete s;
}

// A space that counts its distance computations, for `work`.
std::atomic<long long> g_distances{0};
hnswlib::DISTFUNC<float> g_inner;
float counted_distance(const void* a, const void* b, const void* param) {
  g_distances.fetch_add(1, std::memory_order_relaxed);
  return g_inner(a, b, param);
}
struct CountingSpace : hnswlib::SpaceInterface<float> {
  hnswlib::SpaceInterface<float>* real;
  explicit CountingSpace(hnswlib::SpaceInterface<float>* r) : real(r) { g_inner = r->get_dist_func(); }
  ~CountingSpace() override { delete real; }
  size_t get_data_size() override { return real->get_data_size(); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return counted_distance; }
  void* get_dist_func_param() override { return real->get_dist_func_param(); }
};

void work(const std::string& dir, const std::string& file, const std::vector<double>& knobs) {
  Data d = load(dir, false, true);
  HnswSearcher s(d, file, new CountingSpace(make_space(d)));
  std::vector<std::vector<int32_t>> results(d.nq);
  std::string points;
  for (double knob : knobs) {
    s.set_knob(knob);
    g_distances = 0;
    for (size_t q = 0; q < d.nq; q++) s.query(&d.queries[q * d.dim], results[q]);
    char buf[160];
    snprintf(buf, sizeof buf, "%s{\"knob\":%g,\"recall\":%.4f,\"distances\":%.1f}", points.empty() ? "" : ",", knob,
             recall_of(d, results), double(g_distances.load()) / d.nq);
    points += buf;
  }
  printf("{\"points\":[%s]}\n", points.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  auto need = [&](size_t count) {
    if (a.size() < count) die("missing arguments (see the comment at the top of peer_bench.cc)");
  };
  need(2);
  if (a[0] == "truth") {
    truth(a[1]);
  } else if (a[0] == "build") {
    need(5);
    if (a[1] == "annoy") {
      Data d = load(a[2], true, false);
      if (d.cosine)
        annoy_build<AnnoyAngular>(d, a[3], atoi(a[4].c_str()));
      else
        annoy_build<AnnoyEuclidean>(d, a[3], atoi(a[4].c_str()));
    } else if (a[1] == "hnswlib") {
      need(7);
      Data d = load(a[2], true, false);
      hnsw_build(d, a[3], atoi(a[4].c_str()), atoi(a[5].c_str()), std::max(1, atoi(a[6].c_str())));
    } else {
      die("build: library must be annoy or hnswlib");
    }
  } else if (a[0] == "search") {
    need(6);
    search(a[1], a[2], a[3], parse_list(a[4].c_str()), atof(a[5].c_str()));
  } else if (a[0] == "cold") {
    need(5);
    cold(a[1], a[2], a[3], atof(a[4].c_str()));
  } else if (a[0] == "work") {
    need(5);
    work(a[2], a[3], parse_list(a[4].c_str()));
  } else {
    die("unknown command " + a[0]);
  }
  return 0;
}
