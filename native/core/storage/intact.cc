// Environment's checks that the file is still the one it opened (declared in
// environment.h). LMDB assumes nobody but LMDB writes its file; a restore
// with `cp backup.arroy live.arroy` truncates and rewrites the same inode,
// which readers of the map then see page by page.
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <string>

#include "errors.h"
#include "storage/environment.h"
#include "storage/lmdb_error.h"

namespace arroy {

void Environment::throw_damaged() const {
  corrupt(path_ + " changed under this process (it shrank or was rewritten in place): close and reopen it. "
                  "To replace an index file, write the new one beside it and rename it into place");
}

void Environment::check_intact(MDB_txn* txn, bool write) const {
  check_undamaged();
  struct stat st;
  // The largest size seen is read before this fstat: every size recorded was
  // seen by an earlier fstat, so in a file that only grows it cannot exceed
  // what this one sees. (Read after, it could be the size another thread
  // just saw the writer grow the file to, and this older fstat would look
  // like a shrink.)
  uint64_t most = file_bytes_.load(std::memory_order_acquire);
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0) {
    const uint64_t now = static_cast<uint64_t>(st.st_size);
    if (now < most) {
      damaged_.store(true, std::memory_order_release);
      throw_damaged();
    }
    while (now > most && !file_bytes_.compare_exchange_weak(most, now, std::memory_order_acq_rel)) {
    }
  }
  if (write) return;
  // A snapshot's id comes from the lock file (the last commit any writer
  // made), its root from the newest meta page of the file: a file whose
  // meta pages are older than the lock file's last commit is another file.
  // The meta pages are read while another thread or process may be writing
  // one (a commit rewrites the older of the two): only a snapshot newer than
  // both, seen twice, is another file.
  auto newer_than_file = [&] {
    MDB_envinfo info;
    return mdb_env_info(env_, &info) == MDB_SUCCESS && mdb_txn_id(txn) > info.me_last_txnid;
  };
  if (newer_than_file() && newer_than_file()) {
    damaged_.store(true, std::memory_order_release);
    throw_damaged();
  }
  check_undamaged();  // reading the meta pages may have faulted
}

bool Environment::out_of_space() const {
  struct statvfs fs;
  if (fd_ < 0 || ::fstatvfs(fd_, &fs) != 0) return false;
  // Less than a few pages: the write that failed could not have fitted.
  return uint64_t(fs.f_bavail) * fs.f_frsize < 16ull * page_bytes_ + 65536;
}

}  // namespace arroy
