// LMDB plumbing: one MDB_env per file per process (a process-wide registry
// keyed by device and inode, because LMDB forbids opening one file twice in a
// process), the file's databases, RAII transactions and cursors.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "format.h"

namespace arroy {

struct EnvironmentOptions {
  bool read_only = false;
  uint64_t map_size = 0;  // 0 = kDefaultMapSize
};

class Transaction;

// Keeps the memory map still while transactions use it. Every live
// transaction of the process holds the gate shared; moving the map
// (mdb_env_set_mapsize, which LMDB allows only while this process has no
// active transaction) holds it exclusively. Shared holds nest: a thread that
// already holds it (a build reading a snapshot beside its write transaction)
// may take it again even while a resize waits, so the resize waits until no
// transaction at all is live.
class MapGate {
 public:
  void lock_shared();
  void unlock_shared();
  void lock();
  void unlock();
  // Shared holds of the calling thread, over every gate.
  static int held_by_this_thread();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t shared_ = 0;
  bool exclusive_ = false;
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
  uint32_t page_size() const;

  // A database of the file: its name and whether it is integer-keyed
  // (MDB_INTEGERKEY, u32 keys) or keyed by byte strings.
  struct DatabaseSpec {
    std::string name;
    bool integer_keys = true;
  };

  // The handle of an existing database, opened on first use. Throws Corrupt
  // when the file lacks it or it has the wrong key kind.
  MDB_dbi database(const DatabaseSpec& spec);

  // Creates the named integer-keyed databases inside txn (a write
  // transaction), lets fill() write whatever belongs with them, and commits.
  // The handles are published only after the commit succeeds: LMDB closes the
  // handles an aborted transaction created.
  void create_databases(Transaction& txn, const std::vector<DatabaseSpec>& specs,
                        const std::function<void(const std::vector<MDB_dbi>&)>& fill);

  // Map growth. The map generation counts the times this process moved its
  // memory map; addresses read from the map before a change are invalid.
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
  // True when the file was opened without its lock file (MDB_NOLOCK), which
  // happens for readOnly opens where the lock file cannot be created.
  bool without_lock() const { return without_lock_; }

  // Throws Corrupt unless value (returned by LMDB inside txn) lies inside
  // the mapped pages of the file. Values in a write transaction's own dirty
  // pages (on the heap) pass.
  void check_value(MDB_txn* txn, const MDB_val& value) const;

 private:
  Environment() = default;
  // Finds where LMDB mapped the file, from the page holding the file header.
  void locate_map(MDB_txn* txn) const;
  void relocate_map() const;
  bool without_lock_ = false;
  uint32_t page_bytes_ = 0;
  mutable std::atomic<uintptr_t> map_begin_{0};    // 0: unknown (values are not checked)
  mutable std::atomic<uint64_t> map_checked_{0};   // bytes from map_begin_ known to lie in the file
  MDB_env* env_ = nullptr;
  MDB_dbi main_dbi_ = 0;
  bool read_only_ = false;
  std::string path_;
  // LMDB requires that no two transactions of a process open databases at the
  // same time; this lock serialises every mdb_dbi_open of the environment.
  std::mutex databases_mutex_;
  std::map<std::string, MDB_dbi> databases_;
  mutable MapGate gate_;
  mutable std::atomic<uint64_t> generation_{0};
  friend class EnvironmentRegistry;
};

// Throws a Storage error (or a more specific code) for an LMDB return code.
// MDB_MAP_FULL becomes a MapFull (a Storage error that builds catch to grow
// the map and start over).
[[noreturn]] void throw_lmdb(int rc, const std::string& context);

class MapFull : public Error {
 public:
  explicit MapFull(const std::string& message) : Error(ErrorCode::Storage, message) {}
};
inline void check_lmdb(int rc, const std::string& context) {
  if (rc != MDB_SUCCESS) throw_lmdb(rc, context);
}

class Transaction {
 public:
  Transaction() = default;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Starts a read-only snapshot, or the file's single write transaction.
  void begin(const Environment& env, bool write);
  void commit();
  void abort();
  // Ends a read snapshot but keeps its reader slot, so that the next
  // begin(env, false) on this object only renews it (no lock-table search).
  void reset();
  bool active() const { return txn_ != nullptr && !reset_; }
  MDB_txn* txn() const { return txn_; }
  // The environment's map generation when this transaction began.
  uint64_t map_generation() const { return generation_; }

  // A view of the value at key, valid until this transaction writes or ends.
  bool get(MDB_dbi dbi, uint32_t key, MDB_val* value) const;
  bool get(MDB_dbi dbi, const std::string& key, MDB_val* value) const;
  void put(MDB_dbi dbi, uint32_t key, const std::vector<uint8_t>& bytes, unsigned flags = 0);
  void put(MDB_dbi dbi, const std::string& key, const std::vector<uint8_t>& bytes);
  bool del(MDB_dbi dbi, uint32_t key);
  bool del(MDB_dbi dbi, const std::string& key);
  // Removes every record of a database, keeping the database.
  void clear(MDB_dbi dbi);
  uint64_t entries(MDB_dbi dbi) const;

 private:
  bool get_raw(MDB_dbi dbi, MDB_val* key, MDB_val* value) const;
  void release_gate();
  MDB_txn* txn_ = nullptr;
  bool reset_ = false;
  const Environment* gated_ = nullptr;  // whose gate this transaction holds shared, if any
  uint64_t generation_ = 0;
};

// Runs write(txn) in a fresh write transaction and commits it, unless write
// ended the transaction itself (committed or aborted it). When the map is
// full, at a write or at the commit, LMDB has spoiled the transaction: it is
// aborted, the map grows and write runs again. So write must be a pure
// function of the committed state and of what the caller holds in memory, as
// a build, an index's creation and a drop are.
template <typename Write>
auto write_growing_map(const Environment& env, Write write) -> decltype(write(std::declval<Transaction&>())) {
  for (;;) {
    const uint64_t seen = env.map_size();
    try {
      Transaction txn;
      txn.begin(env, true);
      auto result = write(txn);
      if (txn.active()) txn.commit();
      return result;
    } catch (const MapFull&) {
      // The transaction has ended (its destructor ran), as growing needs.
      env.grow_map(seen);
    }
  }
}

// An LMDB cursor in one transaction, closed with this object.
class OpenCursor {
 public:
  OpenCursor(const Transaction& txn, MDB_dbi dbi);
  ~OpenCursor();
  OpenCursor(const OpenCursor&) = delete;
  OpenCursor& operator=(const OpenCursor&) = delete;

 protected:
  // Moves by `op` (key in: the key sought, if any); false when there is no
  // such record. Key and value are checked to lie in the mapped file.
  bool move(int op, MDB_val* key, MDB_val* value);
  MDB_cursor* cursor_ = nullptr;
};

// A cursor over an integer-keyed database inside one transaction.
class Cursor : private OpenCursor {
 public:
  using OpenCursor::OpenCursor;

  // Moves to the first record; false when the database is empty.
  bool first(uint32_t* key, MDB_val* value);
  // Moves to the first record with a key >= *key, and stores that key.
  bool seek(uint32_t* key, MDB_val* value);
  bool next(uint32_t* key, MDB_val* value);
  // Positions exactly at key; false when absent. Cheap for ascending keys
  // because LMDB first checks the page the cursor is already on.
  bool find(uint32_t key, MDB_val* value);
  // Writes or deletes the record at key (write transactions), as cheaply as
  // find() for ascending keys.
  void put(uint32_t key, const void* bytes, size_t size);
  bool del(uint32_t key);

 private:
  bool read(int op, uint32_t* key, MDB_val* value);
};

// A cursor over a string-keyed database (the key maps). Like every read
// here, each key and value it returns is checked to lie in the mapped file.
class KeyCursor : private OpenCursor {
 public:
  using OpenCursor::OpenCursor;

  // Moves to the first record (with from: the first whose key is >= from);
  // false when there is none.
  bool first(MDB_val* key, MDB_val* value);
  bool seek(const std::string& from, MDB_val* key, MDB_val* value);
  bool next(MDB_val* key, MDB_val* value);
};

}  // namespace arroy
