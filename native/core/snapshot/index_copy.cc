#include "snapshot/index_copy.h"

#include <lmdb.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "catalog.h"
#include "defaults.h"
#include "errors.h"
#include "format.h"
#include "records/file_records.h"
#include "storage/environment.h"
#include "storage/lmdb_error.h"
#include "storage/transaction.h"

namespace arroy {

namespace {

// Bytes written per destination commit: LMDB keeps a write transaction's
// dirty pages in memory, and caps their number, so a big index is copied in
// several commits (the file is private until the rename, so no reader sees
// one half-copied).
constexpr size_t kBytesPerCommit = size_t(64) << 20;

// The destination: a private environment with no lock file, synced once at the end.
class Destination {
 public:
  Destination(const std::string& path, uint64_t map_size) {
    check_lmdb(mdb_env_create(&env_), "cannot create an LMDB environment");
    check_lmdb(mdb_env_set_maxdbs(env_, 1 + kDatabasesPerIndex), "mdb_env_set_maxdbs");
    check_lmdb(mdb_env_set_mapsize(env_, map_size), "mdb_env_set_mapsize");
    check_lmdb(mdb_env_open(env_, path.c_str(), MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC, 0644), "cannot create " + path);
  }
  ~Destination() {
    if (txn_) mdb_txn_abort(txn_);
    mdb_env_close(env_);
  }
  Destination(const Destination&) = delete;
  Destination& operator=(const Destination&) = delete;

  MDB_txn* txn() {
    if (!txn_) check_lmdb(mdb_txn_begin(env_, nullptr, 0, &txn_), "cannot write the snapshot");
    return txn_;
  }
  MDB_dbi open(const char* name, unsigned flags) {
    MDB_dbi dbi = 0;
    check_lmdb(mdb_dbi_open(txn(), name, flags | MDB_CREATE, &dbi), std::string("cannot create database ") + name);
    return dbi;
  }
  void put(MDB_dbi dbi, MDB_val key, MDB_val value, unsigned flags) {
    check_lmdb(mdb_put(txn(), dbi, &key, &value, flags), "cannot write the snapshot");
    pending_ += key.mv_size + value.mv_size;
    if (pending_ >= kBytesPerCommit) commit();
  }
  void commit() {
    if (!txn_) return;
    MDB_txn* txn = txn_;
    txn_ = nullptr;
    pending_ = 0;
    check_lmdb(mdb_txn_commit(txn), "cannot write the snapshot");
  }
  void sync() { check_lmdb(mdb_env_sync(env_, 1), "cannot sync the snapshot"); }

 private:
  MDB_env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
  size_t pending_ = 0;
};

MDB_val val_of(const std::vector<uint8_t>& bytes) { return MDB_val{bytes.size(), const_cast<uint8_t*>(bytes.data())}; }
MDB_val val_of(const std::string& text) { return MDB_val{text.size(), const_cast<char*>(text.data())}; }

uint64_t file_bytes(const Environment& env) {
  int fd = -1;
  struct stat st;
  if (mdb_env_get_fd(env.env(), &fd) != MDB_SUCCESS || ::fstat(fd, &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

void copy_index(Environment& env, const std::string& name, const std::string& path, const std::atomic<bool>* cancel) {
  std::optional<CatalogIndex> found = find_index(env, name);
  if (!found) fail(ErrorCode::NotAnIndex, "the file has no index named " + name);
  const IndexId id = found->dbs.index;
  Transaction source;
  source.begin(env, false);
  MDB_val meta;
  if (!source.get(env.main_database(), meta_key(id), &meta)) fail(ErrorCode::NotAnIndex, "index " + name + " was dropped");
  // Only the same index, not a new one that took its name meanwhile.
  if (read_index_meta(source, env.main_database(), id).instance != found->meta.instance) {
    fail(ErrorCode::NotAnIndex, "index " + name + " was dropped");
  }

  // The copy holds no more pages than the file it comes from; the map is address space only.
  Destination out(path, std::min<uint64_t>(kMaxMapSize, 2 * file_bytes(env) + (uint64_t(64) << 20)));
  MDB_dbi main = out.open(kDatabaseName, 0);
  out.put(main, val_of(std::string(kFileHeaderKey)), val_of(encode_file_header()), 0);
  out.put(main, val_of(std::string(kCatalogKey)), val_of(encode_catalog({CatalogEntry{id, name}})), 0);
  out.put(main, val_of(meta_key(id)), meta, 0);
  for (const std::string& key : index_records_keys(id)) {
    if (key == meta_key(id)) continue;  // written above
    MDB_val record;
    if (source.get(env.main_database(), key, &record)) out.put(main, val_of(key), record, 0);
  }

  const std::vector<DatabaseSpec> specs = index_database_specs(id);
  const std::vector<MDB_dbi> from = found->dbs.all();
  for (size_t i = 0; i < specs.size(); i++) {
    const unsigned flags = specs[i].integer_keys ? MDB_INTEGERKEY : 0;
    MDB_dbi to = out.open(specs[i].name.c_str(), flags);
    MDB_cursor* cursor = nullptr;
    check_lmdb(mdb_cursor_open(source.txn(), from[i], &cursor), "cannot read " + specs[i].name);
    MDB_val key, value;
    int rc;
    try {
      while ((rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) == MDB_SUCCESS) {
        env.check_value(source.txn(), key);
        env.check_value(source.txn(), value);
        if (cancel && cancel->load(std::memory_order_relaxed)) fail(ErrorCode::Aborted, "the snapshot was cancelled");
        // Records arrive in the destination's key order: appending fills pages.
        // (Handles opened in a committed transaction stay valid in later ones.)
        out.put(to, key, value, MDB_APPEND);
      }
    } catch (...) {
      mdb_cursor_close(cursor);
      throw;
    }
    mdb_cursor_close(cursor);
    if (rc != MDB_NOTFOUND) throw_lmdb(rc, "cannot read " + specs[i].name);
  }
  out.commit();
  out.sync();
}

}  // namespace arroy
