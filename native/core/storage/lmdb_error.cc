#include "storage/lmdb_error.h"

#include <sys/statvfs.h>

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

int explain_write_error(int rc, MDB_env* env) {
  if (rc != EIO || !env) return rc;
  mdb_filehandle_t fd;
  struct statvfs fs;
  if (mdb_env_get_fd(env, &fd) != MDB_SUCCESS || fstatvfs(fd, &fs) != 0) return rc;
  unsigned int page = 4096;
  MDB_stat stat;
  if (mdb_env_stat(env, &stat) == MDB_SUCCESS) page = stat.ms_psize;
  // Fewer free blocks than one page: the short write ran out of room.
  return uint64_t(fs.f_bavail) * fs.f_frsize < page ? ENOSPC : rc;
}

}  // namespace arroy
