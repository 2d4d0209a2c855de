// RAII LMDB transactions. A read transaction is a snapshot: it sees the last
// commit made before it began and nothing after, for as long as it lives.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace arroy {

class Environment;

// mdb_txn_begin, which on MDB_READERS_FULL first frees the reader slots of
// dead processes (mdb_reader_check) and tries once more.
int begin_lmdb_txn(MDB_env* env, unsigned flags, MDB_txn** txn);

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
  // Every value returned is checked to lie in the mapped file (map_region.h).
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
  bool del_raw(MDB_dbi dbi, MDB_val* key);
  void put_raw(MDB_dbi dbi, MDB_val* key, MDB_val* value, unsigned flags);
  void release_gate();
  // Environment::check_intact for the transaction just begun; ends it first if that throws.
  void check_intact(const Environment& env, bool write);
  MDB_txn* txn_ = nullptr;
  bool reset_ = false;
  const Environment* gated_ = nullptr;  // whose gate this transaction holds shared, if any
  uint64_t generation_ = 0;
};

}  // namespace arroy
