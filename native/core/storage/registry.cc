#include "storage/registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <tuple>

#include "errors.h"
#include "storage/environment.h"

namespace arroy {

namespace {

struct FileId {
  uint64_t device, inode;
  bool operator<(const FileId& o) const { return std::tie(device, inode) < std::tie(o.device, o.inode); }
};

struct RegistryEntry {
  Environment* env;
  size_t references;
};

std::mutex registry_mutex;
std::map<FileId, RegistryEntry>& registry() {
  static auto* entries = new std::map<FileId, RegistryEntry>();  // never destroyed: outlives static teardown
  return *entries;
}

FileId identify(const std::string& path, bool create) {
  if (create) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      int err = errno;
      fail(err == EISDIR ? ErrorCode::NotAnIndex : ErrorCode::Storage,
           "cannot open " + path + ": " + std::strerror(err));
    }
    ::close(fd);
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    fail(err == ENOENT ? ErrorCode::NotAnIndex : ErrorCode::Storage, "cannot open " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) fail(ErrorCode::NotAnIndex, path + " is not a regular file");
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

void release(Environment* env, const FileId& id) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry().find(id);
  if (it == registry().end() || it->second.env != env) return;  // unreachable: every handle was registered
  if (--it->second.references == 0) {
    registry().erase(it);
    delete env;
  }
}

std::shared_ptr<Environment> share(Environment* env, const FileId& id) {
  return std::shared_ptr<Environment>(env, [id](Environment* e) { release(e, id); });
}

}  // namespace

std::shared_ptr<Environment> acquire_environment(
    const std::string& path, bool create, const std::function<void(const Environment&)>& check_shared,
    const std::function<std::unique_ptr<Environment>()>& open_new) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  const FileId id = identify(path, create);
  auto found = registry().find(id);
  if (found != registry().end()) {
    check_shared(*found->second.env);
    found->second.references++;
    return share(found->second.env, id);
  }
  Environment* env = open_new().release();
  registry()[id] = RegistryEntry{env, 1};
  return share(env, id);
}

}  // namespace arroy
