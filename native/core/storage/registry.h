// The process-wide registry of open files: one Environment (one MDB_env) per
// file per process, shared by every Index of every worker_thread.
//
// LMDB forbids opening one file twice in a process (its locks are per
// process, so a second MDB_env would break them), and paths do not identify
// files, so the registry is keyed by device and inode. References are counted
// under one mutex, and the last release closes the environment while still
// holding it, so no second environment for a file can exist even for a moment.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace arroy {

class Environment;

// The environment of the file at `path`: the one this process already has
// open (after `check_shared` accepted it), else the one `open_new` opens,
// which is registered. With `create`, a missing file is created empty first.
// Dropping the last shared_ptr of a file closes its environment.
std::shared_ptr<Environment> acquire_environment(
    const std::string& path, bool create, const std::function<void(const Environment&)>& check_shared,
    const std::function<std::unique_ptr<Environment>()>& open_new);

}  // namespace arroy
