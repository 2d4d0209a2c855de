#include "storage/environment.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "defaults.h"
#include "errors.h"
#include "format.h"
#include "records/file_records.h"
#include "snapshot/snapshot_file.h"
#include "storage/file_check.h"
#include "storage/lmdb_error.h"
#include "storage/registry.h"
#include "storage/transaction.h"

namespace arroy {

namespace {

bool get_header(MDB_txn* txn, MDB_dbi dbi, MDB_val* value) {
  MDB_val key{std::strlen(kFileHeaderKey), const_cast<char*>(kFileHeaderKey)};
  return mdb_get(txn, dbi, &key, value) == MDB_SUCCESS;
}

// begin_lmdb_txn for a freshly opened environment: no transaction of it
// exists yet, so a map another process grew meanwhile (MDB_MAP_RESIZED) can
// be adopted on the spot.
int begin_at_open(MDB_env* env, unsigned flags, MDB_txn** txn) {
  for (int attempt = 0;; attempt++) {
    int rc = begin_lmdb_txn(env, flags, txn);
    if (rc != MDB_MAP_RESIZED || attempt >= 16) return rc;
    rc = mdb_env_set_mapsize(env, 0);
    if (rc != MDB_SUCCESS) return rc;
  }
}

// Opens the arroy-ts database of a freshly opened environment, creating it in
// an empty writable file. Throws NotAnIndex for LMDB files of other programs.
MDB_dbi open_main_database(MDB_env* env, bool read_only) {
  MDB_txn* txn = nullptr;
  check_lmdb(begin_at_open(env, MDB_RDONLY, &txn), "cannot read the file");
  MDB_dbi dbi = 0;
  int rc = mdb_dbi_open(txn, kDatabaseName, 0, &dbi);
  if (rc == MDB_SUCCESS) {
    MDB_val value;
    bool has_header = get_header(txn, dbi, &value);
    try {
      if (!has_header) fail(ErrorCode::NotAnIndex, "the file has no arroy-ts header");
      check_file_header(value.mv_data, value.mv_size);
    } catch (...) {
      mdb_txn_abort(txn);
      throw;
    }
    // Committing (not aborting) a read transaction keeps the new handle open.
    check_lmdb(mdb_txn_commit(txn), "cannot read the file");
    return dbi;
  }
  if (rc != MDB_NOTFOUND) {
    mdb_txn_abort(txn);
    if (rc == MDB_INCOMPATIBLE) fail(ErrorCode::NotAnIndex, "the file is an LMDB environment of another program");
    throw_lmdb(rc, "cannot read the file");
  }
  MDB_dbi main_dbi = 0;
  MDB_stat main_stat{};
  bool empty = mdb_dbi_open(txn, nullptr, 0, &main_dbi) == MDB_SUCCESS &&
               mdb_stat(txn, main_dbi, &main_stat) == MDB_SUCCESS && main_stat.ms_entries == 0;
  mdb_txn_abort(txn);
  if (!empty) fail(ErrorCode::NotAnIndex, "the file is an LMDB environment of another program");
  if (read_only) fail(ErrorCode::NotAnIndex, "the file holds no arroy-ts index");

  check_lmdb(begin_at_open(env, 0, &txn), "cannot create the index file");
  rc = mdb_dbi_open(txn, kDatabaseName, MDB_CREATE, &dbi);
  MDB_val value;
  if (rc == MDB_SUCCESS && !get_header(txn, dbi, &value)) {  // another process may have created it meanwhile
    std::vector<uint8_t> header = encode_file_header();
    MDB_val key{std::strlen(kFileHeaderKey), const_cast<char*>(kFileHeaderKey)};
    value = MDB_val{header.size(), header.data()};
    rc = mdb_put(txn, dbi, &key, &value, 0);
  }
  if (rc != MDB_SUCCESS) {
    mdb_txn_abort(txn);
    throw_lmdb(rc, "cannot create the index file");
  }
  check_lmdb(mdb_txn_commit(txn), "cannot create the index file");
  return dbi;
}

}  // namespace

std::shared_ptr<Environment> Environment::open(const std::string& path, const EnvironmentOptions& options) {
  // The C APIs below stop at a NUL, so "a\0b" would open the file "a".
  if (path.empty() || path.find('\0') != std::string::npos) {
    fail(ErrorCode::InvalidArgument, "a path must be non-empty and free of NUL characters");
  }
  if (options.map_size != 0 && (options.map_size < kMinMapSize || options.map_size > kMaxMapSize)) {
    fail(ErrorCode::InvalidArgument, "mapSize must be an integer number of bytes from " + std::to_string(kMinMapSize) +
                                         " to " + std::to_string(kMaxMapSize));
  }
  FileIdentity verified;
  if (options.verify) {
    if (!options.read_only) fail(ErrorCode::InvalidArgument, "verify needs readOnly: a snapshot that is written to no longer matches its checksum");
    // Even when this process has the file open already: the check is about
    // the bytes now on disk.
    verified = verify_snapshot(path);
  }
  auto same_mode = [&](const Environment& shared) {
    if (shared.read_only_ != options.read_only) {
      fail(ErrorCode::InvalidArgument, path + " is already open in this process with readOnly: " +
                                           (shared.read_only_ ? "true" : "false") + "; close it first");
    }
  };
  auto env = acquire_environment(path, !options.read_only, same_mode, [&] { return open_new(path, options); });
  // A new snapshot renamed into place between the check and the open would
  // otherwise be read unverified.
  if (options.verify && !env->is_file(verified.device, verified.inode)) {
    fail(ErrorCode::Storage, path + " was replaced between its verification and its opening: open it again");
  }
  return env;
}

bool Environment::is_file(uint64_t device, uint64_t inode) const {
  int fd = -1;
  struct stat st;
  if (mdb_env_get_fd(env_, &fd) != MDB_SUCCESS || ::fstat(fd, &st) != 0) return false;
  return static_cast<uint64_t>(st.st_dev) == device && static_cast<uint64_t>(st.st_ino) == inode;
}

std::unique_ptr<Environment> Environment::open_new(const std::string& path, const EnvironmentOptions& options) {
  // LMDB trusts the meta pages of a file it opens; check them first.
  const LmdbFileCheck file = check_lmdb_file(path);
  if (file.empty && options.read_only) fail(ErrorCode::NotAnIndex, path + " is empty: it holds no arroy-ts index");

  auto env = std::unique_ptr<Environment>(new Environment());
  env->path_ = path;
  env->read_only_ = options.read_only;
  // NOTLS: read snapshots are owned by Index objects, not threads. NORDAHEAD:
  // queries touch scattered pages; read-ahead would only evict useful ones.
  const unsigned flags = MDB_NOSUBDIR | MDB_NOTLS | MDB_NORDAHEAD | (options.read_only ? MDB_RDONLY : 0);
  auto open_env = [&](unsigned open_flags) {
    if (env->env_) mdb_env_close(env->env_);  // a failed mdb_env_open leaves an unusable handle
    env->env_ = nullptr;
    check_lmdb(mdb_env_create(&env->env_), "cannot create an LMDB environment");
    check_lmdb(mdb_env_set_maxdbs(env->env_, 1 + kMaxIndexesPerFile * kDatabasesPerIndex), "mdb_env_set_maxdbs");
    check_lmdb(mdb_env_set_maxreaders(env->env_, kMaxReaders), "mdb_env_set_maxreaders");
    check_lmdb(mdb_env_set_mapsize(env->env_, options.map_size ? options.map_size : kDefaultMapSize),
               "mdb_env_set_mapsize");
    return mdb_env_open(env->env_, path.c_str(), open_flags, 0644);
  };
  int rc = open_env(flags);
  bool without_lock = false;
  if (options.read_only && (rc == EACCES || rc == EROFS || rc == EPERM)) {
    // The lock file cannot be created or written (a read-only directory or
    // file system: Lambda layers, container images). Without it a reader
    // cannot see a concurrent writer safely, which is fine for files nobody
    // writes.
    rc = open_env(flags | MDB_NOLOCK);
    without_lock = rc == MDB_SUCCESS;
  }
  if (rc != MDB_SUCCESS) {
    if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == EINVAL) {
      fail(ErrorCode::NotAnIndex, path + " is not an LMDB environment (" + mdb_strerror(rc) + ")");
    }
    throw_lmdb(rc, "cannot open " + path);
  }
  // Free the reader slots that processes which died inside a read left behind.
  if (!without_lock) {
    int dead = 0;
    mdb_reader_check(env->env_, &dead);
  }
  check_lmdb(mdb_env_set_userctx(env->env_, env.get()), "mdb_env_set_userctx");
  env->main_dbi_ = open_main_database(env->env_, options.read_only);
  MDB_stat stat;
  check_lmdb(mdb_env_stat(env->env_, &stat), "mdb_env_stat");
  env->page_bytes_ = stat.ms_psize;
  env->relocate_map();
  return env;
}

Environment::~Environment() {
  if (env_) mdb_env_close(env_);
}

// The file header is a value every arroy-ts file has: the map region is
// found from where LMDB returns it. Called at open and after the map moved
// (under the gate, held exclusively: no transaction of this process is live,
// so a resize by another process can be adopted). When the header cannot be
// read, values go unchecked rather than good ones rejected.
void Environment::relocate_map() const {
  region_.forget();
  MDB_txn* txn = nullptr;
  if (begin_at_open(env_, MDB_RDONLY, &txn) != MDB_SUCCESS) return;
  MDB_val value;
  try {
    if (get_header(txn, main_dbi_, &value)) region_.locate(env_, page_bytes_, value);
  } catch (...) {  // locate() only allocates; no region is better than a leaked reader slot
  }
  mdb_txn_abort(txn);
}

MDB_dbi Environment::database(const DatabaseSpec& spec) {
  const std::string& name = spec.name;
  std::lock_guard<std::mutex> lock(databases_mutex_);
  auto found = databases_.find(name);
  if (found != databases_.end()) return found->second;
  Transaction txn;  // aborted by its destructor on every failure
  txn.begin(*this, false);
  MDB_dbi dbi = 0;
  unsigned flags = 0;
  int rc = mdb_dbi_open(txn.txn(), name.c_str(), 0, &dbi);
  if (rc == MDB_SUCCESS) rc = mdb_dbi_flags(txn.txn(), dbi, &flags);
  if (rc != MDB_SUCCESS) {
    if (rc == MDB_NOTFOUND) corrupt("database " + name + " is missing");
    throw_lmdb(rc, "cannot open database " + name);
  }
  if (bool(flags & MDB_INTEGERKEY) != spec.integer_keys) corrupt("database " + name + " has the wrong key kind");
  txn.commit();  // committing a read transaction keeps the handle it opened
  databases_[name] = dbi;
  return dbi;
}

void Environment::create_databases(Transaction& txn, const std::vector<DatabaseSpec>& specs,
                                   const std::function<void(const std::vector<MDB_dbi>&)>& fill) {
  std::lock_guard<std::mutex> lock(databases_mutex_);
  std::vector<MDB_dbi> dbis;
  try {
    for (const DatabaseSpec& spec : specs) {
      MDB_dbi dbi = 0;
      unsigned flags = MDB_CREATE | (spec.integer_keys ? MDB_INTEGERKEY : 0);
      check_lmdb(mdb_dbi_open(txn.txn(), spec.name.c_str(), flags, &dbi), "cannot create database " + spec.name);
      dbis.push_back(dbi);
    }
    fill(dbis);
    txn.commit();
  } catch (...) {
    txn.abort();
    throw;
  }
  for (size_t i = 0; i < specs.size(); i++) databases_[specs[i].name] = dbis[i];
}

}  // namespace arroy
