#include "snapshot/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errors.h"

namespace arroy {

FileDescriptor::~FileDescriptor() { close(); }

void FileDescriptor::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void throw_errno(int error, const std::string& what) {
  fail(ErrorCode::Storage, what + ": " + std::strerror(error));
}

size_t read_at(int fd, void* buffer, size_t size, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, static_cast<char*>(buffer) + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(errno, "cannot read " + path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

void write_all(int fd, const void* data, size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(errno, "cannot write " + path);
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void sync_file(int fd, const std::string& path) {
  if (::fsync(fd) != 0) throw_errno(errno, "cannot sync " + path);
}

void sync_parent_directory(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno(errno, "cannot open the directory " + dir);
  // Some file systems refuse to sync a directory; the rename still happened.
  if (::fsync(fd.get()) != 0 && errno != EINVAL && errno != EROFS) throw_errno(errno, "cannot sync " + dir);
}

}  // namespace arroy
