#include "storage/lmdb_error.h"


#include <cerrno>
#include <cstdint>

namespace arroy {

[[noreturn]] void throw_lmdb(int rc, const std::string& context) {
  std::string message = context + ": " + mdb_strerror(rc);
  switch (rc) {
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
      fail(ErrorCode::Storage, context + ": no space left on device (" + mdb_strerror(rc) + ")");
    case MDB_MAP_FULL:
      throw MapFull(message);
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
      fail(ErrorCode::NotAnIndex, message);
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_BAD_TXN:
      fail(ErrorCode::Corrupt, message);
    default:
      fail(ErrorCode::Storage, message);
  }
}


}  // namespace arroy
