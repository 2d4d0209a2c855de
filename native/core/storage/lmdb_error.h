// How LMDB's return codes become core errors. Every LMDB call of the core
// goes through check_lmdb (or throw_lmdb), so one table decides which codes
// mean "not an index", "damaged" or "storage failed".
#pragma once

#include <lmdb.h>

#include <string>

#include "errors.h"

namespace arroy {

// A Storage error for a full map: builds catch it to grow the map and start
// over (write_growing_map, map_growth.h).
class MapFull : public Error {
 public:
  explicit MapFull(const std::string& message) : Error(ErrorCode::Storage, message) {}
};

// Throws the error an LMDB return code stands for, its message prefixed by
// `context`: MapFull for MDB_MAP_FULL, NotAnIndex for files LMDB cannot read
// as its own, Corrupt for damage LMDB noticed, Storage for everything else.
[[noreturn]] void throw_lmdb(int rc, const std::string& context);

// LMDB reports a short write (what a full disk gives) as EIO; this returns
// ENOSPC instead when the file system of env has no room left, so the error
// says the disk is full. Any other code comes back unchanged.
int explain_write_error(int rc, MDB_env* env);

inline void check_lmdb(int rc, const std::string& context) {
  if (rc != MDB_SUCCESS) throw_lmdb(rc, context);
}

}  // namespace arroy
