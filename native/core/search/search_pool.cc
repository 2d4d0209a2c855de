#include "search/search_pool.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace arroy {

namespace {

// How much less CPU weight a search thread has than the thread that started
// it when both want a core (each nice step is about 1.25x).
constexpr int kNiceOffset = 3;

class SearchPool {
 public:
  explicit SearchPool(unsigned threads) {
    for (unsigned i = 0; i < threads; i++) std::thread([this] { work(); }).detach();
  }

  void post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(task));
    }
    ready_.notify_one();
  }

 private:
  void work() {
#if defined(__linux__)
    // Yield to the event loop: a JS thread waking to deliver results or fire a
    // timer preempts a search thread of its own process at once, instead of
    // queueing behind it for a time slice. Linux nice is per thread; a higher
    // value needs no privilege.
    const pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
    if (errno == 0) setpriority(PRIO_PROCESS, static_cast<id_t>(tid), std::min(current + kNiceOffset, 19));
#endif
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty(); });
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
};

SearchPool& pool() {
  // Never destroyed: its detached threads may still be waiting when the
  // process exits, and static destructors must not pull the queue from under them.
  static SearchPool* instance = new SearchPool(search_pool_threads());
  return *instance;
}

}  // namespace

unsigned search_pool_threads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores ? cores : 1;
}

void run_on_search_pool(std::function<void()> task) { pool().post(std::move(task)); }

}  // namespace arroy
