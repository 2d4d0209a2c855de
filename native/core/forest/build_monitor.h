// Progress and cancellation of long builds, shared between a build and
// whoever watches it (the binding reports progress to JS and cancels).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace arroy {

enum class BuildPhase : int {
  Applying = 0,  // writing pending adds and deletes (and routing them, if incremental); done/total count changes
  Trees = 1,     // growing trees or, if incremental, subtrees; done/total count items placed in buckets
  Writing = 2,   // storing tree nodes; done/total count nodes
  Graph = 3,     // linking items into the neighbour graph; done/total count items
  Calibrating = 4,  // measuring recall against work on held-out items; done/total count samples
};

// Every phase, in order; the binding reports a phase by its name and
// src/names.ts types them.
constexpr BuildPhase kBuildPhases[] = {BuildPhase::Applying, BuildPhase::Trees, BuildPhase::Writing, BuildPhase::Graph,
                                      BuildPhase::Calibrating};
const char* build_phase_name(BuildPhase phase);  // "applying", "trees", "writing", "graph", "calibrating"

// Cancellation and progress, shared between a build and whoever watches it.
struct BuildMonitor {
  std::atomic<bool> cancelled{false};
  std::atomic<int> phase{0};
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> total{0};
  // Called on the building thread about every `interval_ms`.
  std::function<void()> on_tick;
  unsigned interval_ms = 100;
  std::chrono::steady_clock::time_point last_tick = std::chrono::steady_clock::now();

  // Calls on_tick if interval_ms has passed since the last call through here
  // (for loops on the building thread that do not go through run_parallel).
  void tick_if_due();

  void enter(BuildPhase p, uint64_t work) {
    phase = static_cast<int>(p);
    done = 0;
    total = work;
  }
};

// Throws Error(Aborted) once the monitor is cancelled.
void check_cancelled(const BuildMonitor& monitor);

}  // namespace arroy
