// Where LMDB mapped a file, so that every value LMDB hands back can be
// checked to lie inside the file's mapped bytes before anything reads it.
//
// LMDB trusts the page numbers and sizes it reads from disk; a damaged file
// can make it return a pointer past the end of the file (a read there faults)
// or into memory that is not the map at all. The map's start is not part of
// LMDB's API, so MapRegion finds it once from a known value (see locate()).
#pragma once

#include <lmdb.h>

#include <atomic>
#include <cstdint>

namespace arroy {

class MapRegion {
 public:
  // Learns where the map of `env` starts from `value`, a value LMDB returned
  // inside a read transaction (so it lies in a page of the map). Leaves the
  // region unknown (every check passes) if it cannot be confirmed.
  void locate(MDB_env* env, uint32_t page_size, const MDB_val& value);
  // The map moved (a resize): unknown until the next locate().
  void forget() { begin_.store(0); }
  // Where the map starts; 0 while unknown.
  uintptr_t begin() const { return begin_.load(); }

  // Throws Corrupt unless `value`, returned by LMDB inside txn, lies inside
  // the mapped pages of the file. Values in a write transaction's own dirty
  // pages (on the heap) pass.
  void check(MDB_env* env, uint32_t page_size, MDB_txn* txn, const MDB_val& value) const;

 private:
  std::atomic<uintptr_t> begin_{0};              // 0: unknown (values are not checked)
  mutable std::atomic<uint64_t> known_bytes_{0};  // bytes from begin_ known to lie in the file
};

// Applies the check of the Environment that owns txn's LMDB environment
// (registered as its user context) to a value returned inside txn.
void check_in_map(MDB_txn* txn, const MDB_val& value);

}  // namespace arroy
