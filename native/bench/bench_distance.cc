// Micro-benchmark of the distance kernels: nanoseconds per call of each
// supported kernel, side by side, for a few vector lengths.
//
//   cmake -S . -B build-native -DARROY_NATIVE_BENCH=ON && cmake --build build-native --target bench_distance
//   build-native/bench_distance [n ...]        (default: 100 784)
//
// Inputs are 2-byte aligned, as vectors read from LMDB's map are, and rotate
// through a pool of 64 vectors; each cell is the best of 7 timed runs.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "distance/kernels.h"
#include "random_vectors.h"

namespace {

using Clock = std::chrono::steady_clock;
using Kernel = float (*)(const void*, const void*, size_t);

volatile float g_sink;

double time_once(Kernel fn, const unsigned char* pool, size_t stride, size_t count, size_t n, size_t iterations) {
  float acc = 0.0f;
  const auto start = Clock::now();
  for (size_t i = 0; i < iterations; ++i) {
    const unsigned char* a = pool + (i % count) * stride;
    const unsigned char* b = pool + ((i + 1) % count) * stride;
    acc += fn(a, b, n);
  }
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  g_sink = acc;
  return ns;
}

// Best of 7 runs of >= 20 ms each: the minimum is the least disturbed by
// other processes on a shared machine.
double ns_per_call(Kernel fn, const unsigned char* pool, size_t stride, size_t count, size_t n) {
  size_t iterations = 1 << 10;
  while (time_once(fn, pool, stride, count, n, iterations) < 2e7) iterations *= 2;
  double best = 1e300;
  for (int run = 0; run < 7; ++run) {
    const double ns = time_once(fn, pool, stride, count, n, iterations) / static_cast<double>(iterations);
    if (ns < best) best = ns;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> lengths;
  for (int i = 1; i < argc; ++i) lengths.push_back(static_cast<size_t>(std::strtoul(argv[i], nullptr, 10)));
  if (lengths.empty()) lengths = {100, 784};

  const std::vector<const arroy::Kernels*> kernels = arroy::supported_kernels();
  std::printf("active kernel: %s\n", arroy::active_kernels().name);
  std::printf("%-6s %-11s", "n", "op");
  for (const arroy::Kernels* k : kernels) std::printf(" %10s", k->name);
  std::printf("   (ns per call)\n");

  std::mt19937 rng(1);
  for (size_t n : lengths) {
    const size_t stride = n * sizeof(float) + 8;  // keeps every vector 2 bytes off 4-byte alignment
    const size_t count = 64;
    std::vector<unsigned char> pool(2 + stride * count);
    for (size_t v = 0; v < count; ++v) {
      const std::vector<float> values = arroy_test::uniform_vector(rng, n);
      std::memcpy(pool.data() + 2 + v * stride, values.data(), n * sizeof(float));
    }
    const unsigned char* base = pool.data() + 2;
    const char* op_names[] = {"dot", "l2_squared", "l1"};
    for (int op = 0; op < 3; ++op) {
      std::printf("%-6zu %-11s", n, op_names[op]);
      for (const arroy::Kernels* k : kernels) {
        const Kernel fn = op == 0 ? k->dot : op == 1 ? k->l2_squared : k->l1;
        std::printf(" %10.2f", ns_per_call(fn, base, stride, count, n));
        std::fflush(stdout);
      }
      std::printf("\n");
    }
  }
  return 0;
}
