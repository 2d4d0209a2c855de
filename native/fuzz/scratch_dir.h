// A private directory for a fuzz target's files, emptied and removed when the
// process exits normally (libFuzzer ends a timed run with exit()). It lives
// under $TMPDIR when set, so scripts/fuzz.sh can sweep up after a crashed run;
// otherwise on tmpfs (/dev/shm) when there is one, since every input rewrites
// a file.
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix) {
    std::vector<std::string> bases;
    if (const char* tmp = std::getenv("TMPDIR")) bases.push_back(tmp);
    bases.push_back("/dev/shm");
    bases.push_back("/tmp");
    for (const std::string& base : bases) {
      std::string pattern = base + "/" + prefix + "-XXXXXX";
      if (::mkdtemp(&pattern[0])) {
        path() = pattern;
        std::atexit(&ScratchDir::remove);
        return;
      }
    }
    std::perror("cannot create a scratch directory");
    std::abort();
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string file(const std::string& name) const { return path() + "/" + name; }

 private:
  // One per process: the atexit hook needs to find it without an object.
  static std::string& path() {
    static std::string* p = new std::string();
    return *p;
  }
  static void remove() {
    if (DIR* dir = ::opendir(path().c_str())) {
      while (dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") ::unlink((path() + "/" + name).c_str());
      }
      ::closedir(dir);
    }
    ::rmdir(path().c_str());
  }
};
