// LMDB plumbing: one MDB_env per file per process (a process-wide registry
// keyed by device and inode, because LMDB forbids opening one file twice in a
// process), RAII transactions, and typed get/put over arroy-ts keys.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <memory>
#include <string>

#include "records.h"

namespace arroy {

struct EnvironmentOptions {
  bool read_only = false;
  uint64_t map_size = 0;  // 0 = kDefaultMapSize
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
  MDB_dbi dbi() const { return dbi_; }
  bool read_only() const { return read_only_; }
  const std::string& path() const { return path_; }

 private:
  Environment() = default;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  bool read_only_ = false;
  std::string path_;
  uint64_t device_ = 0, inode_ = 0;
  friend class EnvironmentRegistry;
};

// Throws a Storage error (or a more specific code) for an LMDB return code.
[[noreturn]] void throw_lmdb(int rc, const std::string& context);
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
  MDB_dbi dbi() const { return dbi_; }

  // A view of the value at key, valid until this transaction writes or ends.
  bool get(const Key& key, MDB_val* value) const;
  void put(const Key& key, const void* data, size_t size);
  void put(const Key& key, const std::vector<uint8_t>& bytes) { put(key, bytes.data(), bytes.size()); }
  bool del(const Key& key);

 private:
  MDB_txn* txn_ = nullptr;
  MDB_dbi dbi_ = 0;
  bool reset_ = false;
};

// A cursor over the arroy-ts database inside one transaction.
class Cursor {
 public:
  explicit Cursor(const Transaction& txn);
  ~Cursor();
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  // Positions at the first key >= key; false at the end.
  bool seek(const Key& key, MDB_val* k, MDB_val* v);
  // Positions exactly at key; false when absent. Cheap for ascending keys
  // because LMDB first checks the page the cursor is already on.
  bool find(const Key& key, MDB_val* v);
  bool next(MDB_val* k, MDB_val* v);
  void del();

 private:
  MDB_cursor* cursor_ = nullptr;
};

}  // namespace arroy
