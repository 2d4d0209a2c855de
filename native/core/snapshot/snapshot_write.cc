// write_snapshot: LMDB's consistent copy into a temporary file, then the
// checksum pass, the trailer, and the rename into place.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "errors.h"
#include "snapshot/file_io.h"
#include "snapshot/index_copy.h"
#include "snapshot/snapshot_file.h"
#include "storage/environment.h"
#include "storage/lmdb_error.h"

namespace arroy {

namespace {

// How often a copy may find the file grown by another process before giving up.
constexpr int kResizeAttempts = 16;

bool cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(std::memory_order_relaxed); }

std::string temporary_name(const std::string& destination) {
  std::random_device device;
  return destination + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(device());
}

// The temporary file, unlinked unless the snapshot made it into place.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string path)
      : path_(std::move(path)), fd_(::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) {
    if (fd_.get() < 0) throw_errno(errno, "cannot create " + path_);
  }
  ~TemporaryFile() {
    fd_.close();
    if (!kept_) ::unlink(path_.c_str());
  }
  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  void rename_to(const std::string& destination) {
    fd_.close();
    if (::rename(path_.c_str(), destination.c_str()) != 0) throw_errno(errno, "cannot rename " + path_);
    kept_ = true;
  }

 private:
  std::string path_;
  FileDescriptor fd_;
  bool kept_ = false;
};

struct stat live_file(const Environment& env) {
  int fd = -1;
  struct stat st;
  check_lmdb(mdb_env_get_fd(env.env(), &fd), "mdb_env_get_fd");
  if (::fstat(fd, &st) != 0) throw_errno(errno, "cannot stat " + env.path());
  return st;
}

// Renaming the snapshot over the live file would pull it from under every
// process that has it open.
void refuse_live_destination(const struct stat& live, const std::string& destination) {
  struct stat st;
  if (::stat(destination.c_str(), &st) == 0 && st.st_dev == live.st_dev && st.st_ino == live.st_ino) {
    fail(ErrorCode::InvalidArgument, "a snapshot cannot replace the file it copies: " + destination);
  }
}

// LMDB's copy, from one read snapshot of its own. The gate keeps this
// process from moving the map under it; a map another process grew past
// ours (MDB_MAP_RESIZED) is adopted and the copy starts again.
void copy_environment(const Environment& env, int fd, bool compact, const std::string& path) {
  for (int attempt = 0;; attempt++) {
    if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) throw_errno(errno, "cannot rewind " + path);
    env.gate().lock_shared();
    int rc = mdb_env_copyfd2(env.env(), fd, compact ? MDB_CP_COMPACT : 0);
    env.gate().unlock_shared();
    if (rc == MDB_MAP_RESIZED && attempt < kResizeAttempts) {
      env.adopt_resized_map();
      continue;
    }
    check_lmdb(rc, "cannot copy " + env.path());
    return;
  }
}

}  // namespace

namespace {

// Writes a snapshot of env's file to `destination`: `fill` writes the LMDB
// bytes into the temporary file, then the checksum, the trailer, the sync
// and the rename follow.
template <class Fill>
SnapshotReport write_with(const Environment& env, const std::string& destination, const std::atomic<bool>* cancel,
                          Fill&& fill) {
  if (cancelled(cancel)) fail(ErrorCode::Aborted, "the snapshot was cancelled");
  SnapshotReport report;
  const struct stat live = live_file(env);
  refuse_live_destination(live, destination);
  report.source_bytes = static_cast<uint64_t>(live.st_size);
  TemporaryFile file(temporary_name(destination));
  fill(file);

  struct stat st;
  if (::fstat(file.fd(), &st) != 0) throw_errno(errno, "cannot stat " + file.path());
  const uint64_t length = static_cast<uint64_t>(st.st_size);
  if (length % kSnapshotAlignment != 0) {
    fail(ErrorCode::Storage, "LMDB's copy of " + env.path() + " is not a whole number of pages");
  }
  // The checksum is taken over the bytes as they landed in the file, not as
  // LMDB meant to write them.
  const uint32_t crc = checksum_file(file.fd(), length, file.path(), ErrorCode::Storage, cancel);
  auto trailer = encode_snapshot_trailer({crc, length});
  if (::lseek(file.fd(), 0, SEEK_END) < 0) throw_errno(errno, "cannot seek " + file.path());
  write_all(file.fd(), trailer.data(), trailer.size(), file.path());
  sync_file(file.fd(), file.path());
  if (cancelled(cancel)) fail(ErrorCode::Aborted, "the snapshot was cancelled");
  file.rename_to(destination);
  sync_parent_directory(destination);
  report.bytes = length + trailer.size();
  report.crc = crc;
  return report;
}

}  // namespace

SnapshotReport write_snapshot(const Environment& env, const std::string& destination, bool compact,
                              const std::atomic<bool>* cancel) {
  return write_with(env, destination, cancel,
                    [&](TemporaryFile& file) { copy_environment(env, file.fd(), compact, file.path()); });
}

SnapshotReport write_index_snapshot(Environment& env, const std::string& name, const std::string& destination,
                                    const std::atomic<bool>* cancel) {
  return write_with(env, destination, cancel, [&](TemporaryFile& file) { copy_index(env, name, file.path(), cancel); });
}

}  // namespace arroy
