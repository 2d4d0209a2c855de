// One open arroy-ts file: its LMDB environment (MDB_env), the arroy-ts
// database inside it, and the handles of the other databases it holds.
//
// Environments are shared process-wide (registry.h): open() joins the one
// this process already has for the file. The memory map they read through
// can move when it grows (map_growth.h), which the map gate (map_gate.h)
// keeps from happening under a live transaction.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/map_gate.h"
#include "storage/map_region.h"

namespace arroy {

class Transaction;

struct EnvironmentOptions {
  bool read_only = false;
  uint64_t map_size = 0;  // 0 = kDefaultMapSize
  // Check the file's snapshot checksum (snapshot/snapshot_file.h) before
  // LMDB reads it; read-only opens only.
  bool verify = false;
};

// A database of the file: its name and whether it is integer-keyed
// (MDB_INTEGERKEY, u32 keys) or keyed by byte strings.
struct DatabaseSpec {
  std::string name;
  bool integer_keys = true;
};

class Environment {
 public:
  // Opens (or joins, if this process already has it open) the LMDB environment
  // at path, creating the file and the arroy-ts database when writable.
  static std::shared_ptr<Environment> open(const std::string& path, const EnvironmentOptions& options);
  ~Environment();

  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  MDB_env* env() const { return env_; }
  MDB_dbi main_database() const { return main_dbi_; }
  bool read_only() const { return read_only_; }
  const std::string& path() const { return path_; }
  uint32_t page_size() const { return page_bytes_; }
  // Whether this environment's data file is the file (st_dev, st_ino).
  bool is_file(uint64_t device, uint64_t inode) const;

  // The handle of an existing database, opened on first use. Throws Corrupt
  // when the file lacks it or it has the wrong key kind.
  MDB_dbi database(const DatabaseSpec& spec);

  // Creates the named databases inside txn (a write transaction), lets fill()
  // write whatever belongs with them, and commits. The handles are published
  // only after the commit succeeds: LMDB closes the handles an aborted
  // transaction created.
  void create_databases(Transaction& txn, const std::vector<DatabaseSpec>& specs,
                        const std::function<void(const std::vector<MDB_dbi>&)>& fill);

  // Map growth (map_growth.cc). The map generation counts the times this
  // process moved its memory map; addresses read from the map before a
  // change are invalid.
  MapGate& gate() const { return gate_; }
  uint64_t map_generation() const { return generation_.load(std::memory_order_acquire); }
  uint64_t map_size() const;
  // Another process grew the file past this process's map (MDB_MAP_RESIZED):
  // adopt the size it recorded. Call with no transaction of this process live
  // on this thread.
  void adopt_resized_map() const;
  // A write ran out of map (MDB_MAP_FULL) while the map was `seen` bytes:
  // doubles it, up to kMaxMapSize (unless another thread grew it meanwhile).
  // Throws Storage when the map cannot grow further.
  void grow_map(uint64_t seen) const;

  // Throws Corrupt unless value (returned by LMDB inside txn) lies inside
  // the mapped pages of the file (see MapRegion).
  void check_value(MDB_txn* txn, const MDB_val& value) const { region_.check(env_, page_bytes_, txn, value); }

 private:
  Environment() = default;
  static std::unique_ptr<Environment> open_new(const std::string& path, const EnvironmentOptions& options);
  // Finds the map again after it moved (under the gate, held exclusively).
  void relocate_map() const;

  MDB_env* env_ = nullptr;
  MDB_dbi main_dbi_ = 0;
  bool read_only_ = false;
  std::string path_;
  uint32_t page_bytes_ = 0;
  mutable MapRegion region_;
  // LMDB requires that no two transactions of a process open databases at the
  // same time; this lock serialises every mdb_dbi_open of the environment.
  std::mutex databases_mutex_;
  std::map<std::string, MDB_dbi> databases_;
  mutable MapGate gate_;
  mutable std::atomic<uint64_t> generation_{0};
};

}  // namespace arroy
