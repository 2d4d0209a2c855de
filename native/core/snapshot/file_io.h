// The few POSIX file operations snapshots need, retrying interrupted calls
// and turning failures into Storage errors that name the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace arroy {

// An open file descriptor, closed by the destructor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  void close();

 private:
  int fd_;
};

// Reads up to `size` bytes at `offset`; fewer only at the end of the file.
size_t read_at(int fd, void* buffer, size_t size, uint64_t offset, const std::string& path);
void write_all(int fd, const void* data, size_t size, const std::string& path);
void sync_file(int fd, const std::string& path);
// Makes a rename inside the directory of `path` durable.
void sync_parent_directory(const std::string& path);

[[noreturn]] void throw_errno(int error, const std::string& what);

}  // namespace arroy
