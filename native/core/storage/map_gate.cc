#include "storage/map_gate.h"

namespace arroy {

namespace {
thread_local int gate_holds = 0;
}  // namespace

int MapGate::held_by_this_thread() { return gate_holds; }

void MapGate::lock_shared() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !exclusive_; });
  shared_++;
  gate_holds++;
}

void MapGate::unlock_shared() {
  std::lock_guard<std::mutex> lock(mutex_);
  gate_holds--;
  if (--shared_ == 0) changed_.notify_all();
}

void MapGate::lock() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !exclusive_ && shared_ == 0; });
  exclusive_ = true;
}

void MapGate::unlock() {
  std::lock_guard<std::mutex> lock(mutex_);
  exclusive_ = false;
  changed_.notify_all();
}

}  // namespace arroy
