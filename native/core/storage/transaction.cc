#include "storage/transaction.h"

#include <cerrno>

#include "errors.h"
#include "storage/environment.h"
#include "storage/lmdb_error.h"
#include "storage/map_region.h"

namespace arroy {

int begin_lmdb_txn(MDB_env* env, unsigned flags, MDB_txn** txn) {
  int rc = mdb_txn_begin(env, nullptr, flags, txn);
  if (rc == MDB_READERS_FULL) {
    int dead = 0;
    if (mdb_reader_check(env, &dead) == MDB_SUCCESS && dead > 0) rc = mdb_txn_begin(env, nullptr, flags, txn);
  }
  return rc;
}

Transaction::~Transaction() { abort(); }

void Transaction::check_intact(const Environment& env, bool write) {
  try {
    env.check_intact(txn_, write);
  } catch (...) {
    abort();
    throw;
  }
}

void Transaction::release_gate() {
  if (gated_) gated_->gate().unlock_shared();
  gated_ = nullptr;
}

// Every live transaction holds the environment's map gate shared, taken
// before mdb_txn_begin/renew so that no resize moves the map under it.
// MDB_MAP_RESIZED (another process grew the file past this process's map)
// is answered by adopting the new size and trying again.
void Transaction::begin(const Environment& env, bool write) {
  if (!write && txn_ && reset_ && mdb_txn_env(txn_) == env.env()) {
    env.gate().lock_shared();
    int rc = mdb_txn_renew(txn_);
    if (rc == MDB_SUCCESS) {
      gated_ = &env;
      generation_ = env.map_generation();
      reset_ = false;
      check_intact(env, false);
      return;
    }
    env.gate().unlock_shared();
    if (rc != MDB_MAP_RESIZED) {
      abort();
      throw_lmdb(rc, "cannot start a read transaction");
    }
    // Fall through: a fresh transaction after adopting the new size.
  }
  abort();
  if (write && env.read_only()) fail(ErrorCode::InvalidArgument, "the index was opened read-only");
  const char* what = write ? "cannot start a write transaction" : "cannot start a read transaction";
  for (int attempt = 0;; attempt++) {
    env.gate().lock_shared();
    int rc = begin_lmdb_txn(env.env(), write ? 0 : MDB_RDONLY, &txn_);
    if (rc == MDB_SUCCESS) {
      gated_ = &env;
      generation_ = env.map_generation();
      check_intact(env, write);
      return;
    }
    txn_ = nullptr;
    env.gate().unlock_shared();
    // Resizing needs every transaction of the process to end; one held by
    // this very thread never would.
    if (rc != MDB_MAP_RESIZED || attempt >= 16 || MapGate::held_by_this_thread() > 0) throw_lmdb(rc, what);
    env.adopt_resized_map();
  }
}

void Transaction::commit() {
  MDB_txn* txn = txn_;
  txn_ = nullptr;
  reset_ = false;
  int rc = mdb_txn_commit(txn);  // frees the transaction, committed or not
  const Environment* env = gated_;
  release_gate();
  // LMDB reports a short write as EIO; on a full disk, say so.
  if ((rc == EIO || rc == ENOSPC || rc == EDQUOT) && env && env->out_of_space()) {
    fail(ErrorCode::Storage, "cannot commit: no space left on device (" + env->path() + ")");
  }
  check_lmdb(rc, "cannot commit");
}

void Transaction::abort() {
  if (txn_) mdb_txn_abort(txn_);
  txn_ = nullptr;
  reset_ = false;
  release_gate();
}

void Transaction::reset() {
  if (txn_ && !reset_) {
    mdb_txn_reset(txn_);
    reset_ = true;
    release_gate();
  }
}

bool Transaction::get_raw(MDB_dbi dbi, MDB_val* key, MDB_val* value) const {
  int rc = mdb_get(txn_, dbi, key, value);
  if (rc == MDB_NOTFOUND) return false;
  check_lmdb(rc, "read failed");
  check_in_map(txn_, *value);
  return true;
}

bool Transaction::get(MDB_dbi dbi, uint32_t key, MDB_val* value) const {
  MDB_val k{sizeof(key), &key};
  return get_raw(dbi, &k, value);
}

bool Transaction::get(MDB_dbi dbi, const std::string& key, MDB_val* value) const {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  return get_raw(dbi, &k, value);
}

void Transaction::put_raw(MDB_dbi dbi, MDB_val* key, MDB_val* value, unsigned flags) {
  // An empty std::vector's data() may be null, and LMDB memcpy()s the value
  // even when it is empty: memcpy from null is undefined behaviour, so an
  // empty value points at a byte that is never read.
  static const uint8_t kNoBytes = 0;
  if (value->mv_size == 0 && value->mv_data == nullptr) value->mv_data = const_cast<uint8_t*>(&kNoBytes);
  check_lmdb(mdb_put(txn_, dbi, key, value, flags), "write failed");
}

void Transaction::put(MDB_dbi dbi, uint32_t key, const std::vector<uint8_t>& bytes, unsigned flags) {
  MDB_val k{sizeof(key), &key};
  MDB_val v{bytes.size(), const_cast<uint8_t*>(bytes.data())};
  put_raw(dbi, &k, &v, flags);
}

void Transaction::put(MDB_dbi dbi, const std::string& key, const std::vector<uint8_t>& bytes) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{bytes.size(), const_cast<uint8_t*>(bytes.data())};
  put_raw(dbi, &k, &v, 0);
}

bool Transaction::del_raw(MDB_dbi dbi, MDB_val* key) {
  int rc = mdb_del(txn_, dbi, key, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  check_lmdb(rc, "delete failed");
  return true;
}

bool Transaction::del(MDB_dbi dbi, uint32_t key) {
  MDB_val k{sizeof(key), &key};
  return del_raw(dbi, &k);
}

bool Transaction::del(MDB_dbi dbi, const std::string& key) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  return del_raw(dbi, &k);
}

void Transaction::clear(MDB_dbi dbi) { check_lmdb(mdb_drop(txn_, dbi, 0), "cannot clear a database"); }

uint64_t Transaction::entries(MDB_dbi dbi) const {
  MDB_stat stat;
  check_lmdb(mdb_stat(txn_, dbi, &stat), "cannot read database statistics");
  return stat.ms_entries;
}

}  // namespace arroy
