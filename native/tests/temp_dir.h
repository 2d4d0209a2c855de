// A fresh directory for test files, removed with its files at the end of scope.
#pragma once

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

class TempDir {
 public:
  // On tmpfs (/dev/shm) when there is one: tests that write and sync many
  // files then cost no disk I/O.
  TempDir() {
    for (const char* base : {"/dev/shm", "/tmp"}) {
      std::string pattern = std::string(base) + "/arroy-test-XXXXXX";
      if (::mkdtemp(&pattern[0])) {
        path_ = pattern;
        return;
      }
    }
    std::abort();
  }
  ~TempDir() {
    if (DIR* dir = ::opendir(path_.c_str())) {
      while (dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") ::unlink((path_ + "/" + name).c_str());
      }
      ::closedir(dir);
    }
    ::rmdir(path_.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};
