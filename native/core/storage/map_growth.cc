// Environment's map-growth members (declared in environment.h; the policy is
// described in map_growth.h).
#include "storage/map_growth.h"

#include <algorithm>
#include <string>

#include "defaults.h"
#include "errors.h"
#include "storage/fault_guard.h"

namespace arroy {

uint64_t Environment::map_size() const {
  MDB_envinfo info;
  check_lmdb(mdb_env_info(env_, &info), "mdb_env_info");
  return info.me_mapsize;
}

void Environment::adopt_resized_map() const {
  gate_.lock();
  // 0: the size the last commit recorded (at least what the data needs).
  unguard_map(this);  // the old range is unmapped now and may be reused
  int rc = mdb_env_set_mapsize(env_, 0);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  if (rc == MDB_SUCCESS) relocate_map();
  gate_.unlock();
  check_lmdb(rc, "cannot follow the map growth of another process");
}

void Environment::grow_map(uint64_t seen) const {
  gate_.lock();
  int rc = MDB_SUCCESS;
  uint64_t current = 0;
  MDB_envinfo info;
  rc = mdb_env_info(env_, &info);
  if (rc == MDB_SUCCESS) current = info.me_mapsize;
  if (rc == MDB_SUCCESS && current <= seen) {  // else another thread grew it meanwhile
    if (current >= kMaxMapSize) {
      gate_.unlock();
      fail(ErrorCode::Storage, "the index file is full: its map has reached " + std::to_string(kMaxMapSize) + " bytes");
    }
    unguard_map(this);
    rc = mdb_env_set_mapsize(env_, std::min<uint64_t>(kMaxMapSize, current * 2));
    generation_.fetch_add(1, std::memory_order_acq_rel);
    if (rc == MDB_SUCCESS) relocate_map();
  }
  gate_.unlock();
  check_lmdb(rc, "cannot grow the map");
}

}  // namespace arroy
