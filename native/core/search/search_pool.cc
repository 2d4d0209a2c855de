#include "search/search_pool.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace arroy {

namespace {

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
