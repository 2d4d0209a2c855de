// The process-wide threads that run searches off the caller's thread: one per
// core, started on first use and kept for the life of the process. Separate
// from libuv's pool (4 threads by default, shared with file I/O and DNS), so
// async searches use every core and never queue behind fs calls.
#pragma once

#include <functional>

namespace arroy {

// Runs task on one of the threads, in submission order. A task must not
// throw (whatever it does, it reports through what it captured).
void run_on_search_pool(std::function<void()> task);

// How many threads the pool has (or will have once started).
unsigned search_pool_threads();

}  // namespace arroy
