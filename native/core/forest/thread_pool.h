// The thread pool of long builds: a fixed number of tasks spread over a
// number of threads, with the calling thread reporting progress meanwhile.
#pragma once

#include <cstddef>
#include <functional>

#include "forest/build_monitor.h"

namespace arroy {

// Runs task(i) for every i in [0, count) on up to `threads` threads, which
// take the next index as they free up. The calling thread waits and ticks the
// monitor. The first exception cancels the monitor (the other tasks stop at
// their next check) and is rethrown here once every thread has ended.
void run_parallel(size_t count, unsigned threads, BuildMonitor& monitor, const std::function<void(size_t)>& task);

}  // namespace arroy
