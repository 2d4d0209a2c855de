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

// The same, telling each task which worker runs it (below max(1, threads)),
// so that a caller can hand each worker its own scratch memory, kept from one
// call to the next, instead of a thread_local one (each call starts new
// threads, and a thread_local in a shared library is reached through
// __tls_get_addr on every use).
void run_parallel_workers(size_t count, unsigned threads, BuildMonitor& monitor,
                          const std::function<void(size_t index, unsigned worker)>& task);

}  // namespace arroy
