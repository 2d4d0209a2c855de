// Progress, cancellation and the thread pool of long builds.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace arroy {

enum class BuildPhase : int {
  Applying = 0,  // writing pending adds and deletes (and routing them, if incremental); done/total count changes
  Trees = 1,     // growing trees or, if incremental, subtrees; done/total count items placed in buckets
  Writing = 2,   // storing tree nodes; done/total count nodes
};

// Cancellation and progress, shared between a build and whoever watches it.
struct BuildMonitor {
  std::atomic<bool> cancelled{false};
  std::atomic<int> phase{0};
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> total{0};
  // Called on the building thread about every `interval_ms`.
  std::function<void()> on_tick;
  unsigned interval_ms = 100;

  void enter(BuildPhase p, uint64_t work) {
    phase = static_cast<int>(p);
    done = 0;
    total = work;
  }
};

// Throws Error(Aborted) once the monitor is cancelled.
void check_cancelled(const BuildMonitor& monitor);

// Runs task(i) for every i in [0, count) on up to `threads` threads, which
// take the next index as they free up. The calling thread waits and ticks the
// monitor. The first exception cancels the monitor (the other tasks stop at
// their next check) and is rethrown here once every thread has ended.
void run_parallel(size_t count, unsigned threads, BuildMonitor& monitor, const std::function<void(size_t)>& task);

}  // namespace arroy
