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
  }
  return "unknown";
}

}  // namespace arroy
