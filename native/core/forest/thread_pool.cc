#include "forest/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace arroy {

void run_parallel(size_t count, unsigned threads, BuildMonitor& monitor, const std::function<void(size_t)>& task) {
  run_parallel_workers(count, threads, monitor, [&](size_t i, unsigned) { task(i); });
}

void run_parallel_workers(size_t count, unsigned threads, BuildMonitor& monitor,
                          const std::function<void(size_t, unsigned)>& task) {
  if (count == 0) return;
  std::atomic<size_t> next{0};
  unsigned running = std::max(1u, static_cast<unsigned>(std::min<size_t>(threads, count)));
  std::exception_ptr failure;
  std::mutex mutex;
  std::condition_variable finished;

  auto worker = [&](unsigned id) {
    try {
      for (size_t i; (i = next.fetch_add(1)) < count;) task(i, id);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!failure) failure = std::current_exception();
      monitor.cancelled = true;
    }
    std::lock_guard<std::mutex> lock(mutex);
    running--;
    finished.notify_all();
  };

  std::vector<std::thread> pool;
  const unsigned started = running;
  for (unsigned i = 0; i < started; i++) pool.emplace_back(worker, i);
  {
    std::unique_lock<std::mutex> lock(mutex);
    while (running > 0) {
      finished.wait_for(lock, std::chrono::milliseconds(monitor.interval_ms));
      if (monitor.on_tick && running > 0) {
        lock.unlock();
        monitor.on_tick();
        lock.lock();
      }
    }
  }
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace arroy
