#include "forest/build_monitor.h"

#include "errors.h"

namespace arroy {

void check_cancelled(const BuildMonitor& monitor) {
  if (monitor.cancelled.load(std::memory_order_relaxed)) fail(ErrorCode::Aborted, "the build was cancelled");
}

const char* build_phase_name(BuildPhase phase) {
  switch (phase) {
    case BuildPhase::Applying: return "applying";
    case BuildPhase::Trees: return "trees";
    case BuildPhase::Writing: return "writing";
    case BuildPhase::Graph: return "graph";
    case BuildPhase::Calibrating: return "calibrating";
  }
  return "unknown";
}

void BuildMonitor::tick_if_due() {
  if (!on_tick) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_tick >= std::chrono::milliseconds(interval_ms)) {
    last_tick = now;
    on_tick();
  }
}

}  // namespace arroy
