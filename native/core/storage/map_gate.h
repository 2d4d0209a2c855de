// Keeps the memory map still while transactions use it.
//
// Every live transaction of the process holds its environment's gate shared;
// moving the map (mdb_env_set_mapsize, which LMDB allows only while this
// process has no active transaction) holds it exclusively. Shared holds nest:
// a thread that already holds it (a build reading a snapshot beside its write
// transaction) may take it again even while a resize waits, so the resize
// waits until no transaction at all is live.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace arroy {

class MapGate {
 public:
  void lock_shared();
  void unlock_shared();
  void lock();
  void unlock();
  // Shared holds of the calling thread, over every gate.
  static int held_by_this_thread();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t shared_ = 0;
  bool exclusive_ = false;
};

}  // namespace arroy
