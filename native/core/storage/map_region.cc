#include "storage/map_region.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "errors.h"
#include "storage/environment.h"
#include "storage/lmdb_error.h"

namespace arroy {

// LMDB does not say where it mapped the file, but every page of the map
// begins with its own page number (a u64). The page holding `value` therefore
// gives the map's start, which is then confirmed against the file's bytes
// read with pread(2). The map starts on an OS page boundary, so when LMDB
// pages are larger than OS pages each OS page boundary of the value's LMDB
// page is a candidate.
void MapRegion::locate(MDB_env* env, uint32_t page_size, const MDB_val& value) {
  if (value.mv_size == 0 || page_size == 0) return;
  int fd = -1;
  if (mdb_env_get_fd(env, &fd) != MDB_SUCCESS || fd < 0) return;
  MDB_envinfo info;
  if (mdb_env_info(env, &info) != MDB_SUCCESS) return;
  const uint64_t page = page_size;
  const uint64_t os_page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t step = std::min(page, os_page > 0 ? os_page : page);
  if ((step & (step - 1)) != 0) return;
  const uintptr_t at = reinterpret_cast<uintptr_t>(value.mv_data);
  const uintptr_t aligned = at & ~uintptr_t(step - 1);
  // The value's page is never one of the two meta pages, so every candidate
  // (at most one LMDB page before the value) lies inside the map.
  for (uint64_t back = 0; back < page && back <= aligned; back += step) {
    const uintptr_t candidate = aligned - back;
    if (at - candidate >= page) break;
    uint64_t pgno;
    std::memcpy(&pgno, reinterpret_cast<const void*>(candidate), sizeof(pgno));
    if (pgno < 2 || pgno > info.me_last_pgno || pgno * page > candidate) continue;
    const uintptr_t begin = candidate - pgno * page;
    const uint64_t offset = at - begin;
    // Confirm: the page header and the value as the file holds them.
    uint8_t head[16];
    std::vector<uint8_t> stored(value.mv_size);
    if (::pread(fd, head, sizeof(head), static_cast<off_t>(pgno * page)) != ssize_t(sizeof(head)) ||
        std::memcmp(head, reinterpret_cast<const void*>(candidate), sizeof(head)) != 0) {
      continue;
    }
    if (::pread(fd, stored.data(), stored.size(), static_cast<off_t>(offset)) != ssize_t(stored.size()) ||
        std::memcmp(stored.data(), value.mv_data, stored.size()) != 0) {
      continue;
    }
    known_bytes_.store((info.me_last_pgno + 1) * page);
    begin_.store(begin);
    return;
  }
}

void MapRegion::check(MDB_env* env, uint32_t page_size, MDB_txn* txn, const MDB_val& value) const {
  const uintptr_t begin = begin_.load(std::memory_order_relaxed);
  if (begin == 0 || value.mv_size == 0) return;
  const uintptr_t at = reinterpret_cast<uintptr_t>(value.mv_data);
  // Fast path: inside the part of the map known at open (or at the last
  // check) to lie in the file, which never shrinks.
  uint64_t known = known_bytes_.load(std::memory_order_relaxed);
  if (at >= begin && at - begin <= known && value.mv_size <= known - (at - begin)) return;
  // The file may have grown since: the newest meta page says how far.
  MDB_envinfo info;
  check_lmdb(mdb_env_info(env, &info), "mdb_env_info");
  const uint64_t map_bytes = info.me_mapsize;
  const uint64_t in_file = std::min<uint64_t>((info.me_last_pgno + 1) * uint64_t(page_size), map_bytes);
  if (at >= begin && at - begin <= in_file && value.mv_size <= in_file - (at - begin)) {
    if (in_file > known) known_bytes_.store(in_file, std::memory_order_relaxed);
    return;
  }
  // Outside the map: a write transaction's own dirty pages live on the heap.
  // (Its id is above the newest committed one; a read snapshot's is not.)
  const bool in_map = at >= begin && at - begin < map_bytes;
  if (!in_map && mdb_txn_id(txn) > info.me_last_txnid) return;
  corrupt("LMDB returned a value of " + std::to_string(value.mv_size) + " bytes outside the file's " +
          std::to_string(in_file) + " mapped bytes");
}

void check_in_map(MDB_txn* txn, const MDB_val& value) {
  const auto* env = static_cast<const Environment*>(mdb_env_get_userctx(mdb_txn_env(txn)));
  if (env) env->check_value(txn, value);
}

}  // namespace arroy
