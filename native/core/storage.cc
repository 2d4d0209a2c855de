#include "storage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "defaults.h"
#include "errors.h"
#include "lmdb_file.h"
#include "records.h"

namespace arroy {

[[noreturn]] void throw_lmdb(int rc, const std::string& context) {
  std::string message = context + ": " + mdb_strerror(rc);
  switch (rc) {
    case MDB_MAP_FULL:
      throw MapFull(message);
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
      fail(ErrorCode::NotAnIndex, message);
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_BAD_TXN:
      fail(ErrorCode::Corrupt, message);
    default:
      fail(ErrorCode::Storage, message);
  }
}

// ---------------------------------------------------------------- map gate

namespace {
thread_local int gate_holds = 0;
}  // namespace

int MapGate::held_by_this_thread() { return gate_holds; }

void MapGate::lock_shared() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !exclusive_; });
  shared_++;
  gate_holds++;
}

void MapGate::unlock_shared() {
  std::lock_guard<std::mutex> lock(mutex_);
  gate_holds--;
  if (--shared_ == 0) changed_.notify_all();
}

void MapGate::lock() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !exclusive_ && shared_ == 0; });
  exclusive_ = true;
}

void MapGate::unlock() {
  std::lock_guard<std::mutex> lock(mutex_);
  exclusive_ = false;
  changed_.notify_all();
}

// ---------------------------------------------------------------- registry

namespace {

struct FileId {
  uint64_t device, inode;
  bool operator<(const FileId& o) const { return std::tie(device, inode) < std::tie(o.device, o.inode); }
};

struct RegistryEntry {
  Environment* env;
  size_t references;
};

// Process-wide: every Index in every worker_thread that opens the same file
// shares one MDB_env. References are counted under the mutex, and the last
// release closes the environment while still holding it, so no second
// environment for the same file can exist even for a moment.
std::mutex registry_mutex;
std::map<FileId, RegistryEntry>& registry() {
  static auto* entries = new std::map<FileId, RegistryEntry>();  // never destroyed: outlives static teardown
  return *entries;
}

FileId identify(const std::string& path, bool create) {
  if (create) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      int err = errno;
      fail(err == EISDIR ? ErrorCode::NotAnIndex : ErrorCode::Storage,
           "cannot open " + path + ": " + std::strerror(err));
    }
    ::close(fd);
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    fail(err == ENOENT ? ErrorCode::NotAnIndex : ErrorCode::Storage, "cannot open " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) fail(ErrorCode::NotAnIndex, path + " is not a regular file");
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

void release(Environment* env, const FileId& id) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry().find(id);
  if (it == registry().end() || it->second.env != env) return;  // unreachable: every handle was registered
  if (--it->second.references == 0) {
    registry().erase(it);
    delete env;
  }
}

// mdb_txn_begin, which on MDB_READERS_FULL first frees the reader slots of
// dead processes (mdb_reader_check) and tries once more.
int begin_txn(MDB_env* env, unsigned flags, MDB_txn** txn) {
  int rc = mdb_txn_begin(env, nullptr, flags, txn);
  if (rc == MDB_READERS_FULL) {
    int dead = 0;
    if (mdb_reader_check(env, &dead) == MDB_SUCCESS && dead > 0) rc = mdb_txn_begin(env, nullptr, flags, txn);
  }
  return rc;
}

bool get_header(MDB_txn* txn, MDB_dbi dbi, MDB_val* value) {
  MDB_val key{std::strlen(kFileHeaderKey), const_cast<char*>(kFileHeaderKey)};
  return mdb_get(txn, dbi, &key, value) == MDB_SUCCESS;
}

// begin_txn for a freshly opened environment: no transaction of it exists
// yet, so a map another process grew meanwhile (MDB_MAP_RESIZED) can be
// adopted on the spot.
int begin_at_open(MDB_env* env, unsigned flags, MDB_txn** txn) {
  for (int attempt = 0;; attempt++) {
    int rc = begin_txn(env, flags, txn);
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
  std::lock_guard<std::mutex> lock(registry_mutex);
  FileId id = identify(path, !options.read_only);
  auto found = registry().find(id);
  if (found != registry().end()) {
    Environment* env = found->second.env;
    if (env->read_only_ != options.read_only) {
      fail(ErrorCode::InvalidArgument, path + " is already open in this process with readOnly: " +
                                           (env->read_only_ ? "true" : "false") + "; close it first");
    }
    found->second.references++;
    return std::shared_ptr<Environment>(env, [id](Environment* e) { release(e, id); });
  }

  // LMDB trusts the meta pages of a file it opens; check them first.
  const LmdbFileInfo file = check_lmdb_file(path);
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
  if (options.read_only && (rc == EACCES || rc == EROFS || rc == EPERM)) {
    // The lock file cannot be created or written (a read-only directory or
    // file system: Lambda layers, container images). Without it a reader
    // cannot see a concurrent writer safely, which is fine for files nobody
    // writes.
    rc = open_env(flags | MDB_NOLOCK);
    env->without_lock_ = rc == MDB_SUCCESS;
  }
  if (rc != MDB_SUCCESS) {
    if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == EINVAL) {
      fail(ErrorCode::NotAnIndex, path + " is not an LMDB environment (" + mdb_strerror(rc) + ")");
    }
    throw_lmdb(rc, "cannot open " + path);
  }
  // Free the reader slots that processes which died inside a read left behind.
  if (!env->without_lock_) {
    int dead = 0;
    mdb_reader_check(env->env_, &dead);
  }
  check_lmdb(mdb_env_set_userctx(env->env_, env.get()), "mdb_env_set_userctx");
  env->main_dbi_ = open_main_database(env->env_, options.read_only);
  {
    MDB_stat stat;
    check_lmdb(mdb_env_stat(env->env_, &stat), "mdb_env_stat");
    env->page_bytes_ = stat.ms_psize;
    MDB_txn* txn = nullptr;
    check_lmdb(begin_at_open(env->env_, MDB_RDONLY, &txn), "cannot read the file");
    try {
      env->locate_map(txn);
    } catch (...) {
      mdb_txn_abort(txn);
      throw;
    }
    mdb_txn_abort(txn);
  }

  Environment* raw = env.release();
  registry()[id] = RegistryEntry{raw, 1};
  return std::shared_ptr<Environment>(raw, [id](Environment* e) { release(e, id); });
}

Environment::~Environment() {
  if (env_) mdb_env_close(env_);
}

uint32_t Environment::page_size() const {
  MDB_stat stat;
  check_lmdb(mdb_env_stat(env_, &stat), "mdb_env_stat");
  return stat.ms_psize;
}

// LMDB does not say where it mapped the file, but every page of the map
// begins with its own page number (a u64). The page holding the file header
// value (in a read transaction: a page of the map) therefore gives the map's
// start, which is then confirmed against the file's bytes read with pread(2).
// The map starts on an OS page boundary, so when LMDB pages are larger than
// OS pages each OS page boundary of the value's LMDB page is a candidate.
void Environment::locate_map(MDB_txn* txn) const {
  MDB_val value;
  if (!get_header(txn, main_dbi_, &value) || value.mv_size == 0 || page_bytes_ == 0) return;
  int fd = -1;
  if (mdb_env_get_fd(env_, &fd) != MDB_SUCCESS || fd < 0) return;
  MDB_envinfo info;
  if (mdb_env_info(env_, &info) != MDB_SUCCESS) return;
  const uint64_t page = page_bytes_;
  const uint64_t os_page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t step = std::min(page, os_page > 0 ? os_page : page);
  if ((step & (step - 1)) != 0) return;
  const uintptr_t at = reinterpret_cast<uintptr_t>(value.mv_data);
  const uintptr_t aligned = at & ~uintptr_t(step - 1);
  // The header's page is never one of the two meta pages, so every candidate
  // (at most one LMDB page before the value) lies inside the map.
  for (uint64_t back = 0; back < page && back <= aligned; back += step) {
    const uintptr_t candidate = aligned - back;
    if (at - candidate >= page) break;
    uint64_t pgno;
    std::memcpy(&pgno, reinterpret_cast<const void*>(candidate), sizeof(pgno));
    if (pgno < 2 || pgno > info.me_last_pgno || pgno * page > candidate) continue;
    const uintptr_t begin = candidate - pgno * page;
    const uint64_t offset = at - begin;
    // Confirm: the page header and the value as the file holds them.
    uint8_t head[16];
    std::vector<uint8_t> stored(value.mv_size);
    if (::pread(fd, head, sizeof(head), static_cast<off_t>(pgno * page)) != ssize_t(sizeof(head)) ||
        std::memcmp(head, reinterpret_cast<const void*>(candidate), sizeof(head)) != 0) {
      continue;
    }
    if (::pread(fd, stored.data(), stored.size(), static_cast<off_t>(offset)) != ssize_t(stored.size()) ||
        std::memcmp(stored.data(), value.mv_data, stored.size()) != 0) {
      continue;
    }
    map_checked_.store((info.me_last_pgno + 1) * page);
    map_begin_.store(begin);
    return;
  }
}

// After a remap (under the gate, held exclusively: no transaction of this
// process is live) the map may start elsewhere: find it again, or stop
// checking rather than reject good values.
void Environment::relocate_map() const {
  map_begin_.store(0);
  MDB_txn* txn = nullptr;
  if (begin_txn(env_, MDB_RDONLY, &txn) != MDB_SUCCESS) return;
  try {
    locate_map(txn);
  } catch (...) {
  }
  mdb_txn_abort(txn);
}

void Environment::check_value(MDB_txn* txn, const MDB_val& value) const {
  const uintptr_t begin = map_begin_.load(std::memory_order_relaxed);
  if (begin == 0 || value.mv_size == 0) return;
  const uintptr_t at = reinterpret_cast<uintptr_t>(value.mv_data);
  // Fast path: inside the part of the map known at open (or at the last
  // check) to lie in the file, which never shrinks.
  uint64_t known = map_checked_.load(std::memory_order_relaxed);
  if (at >= begin && at - begin <= known && value.mv_size <= known - (at - begin)) return;
  // The file may have grown since: the newest meta page says how far.
  MDB_envinfo info;
  check_lmdb(mdb_env_info(env_, &info), "mdb_env_info");
  const uint64_t map_bytes = info.me_mapsize;
  const uint64_t in_file = std::min<uint64_t>((info.me_last_pgno + 1) * uint64_t(page_bytes_), map_bytes);
  if (at >= begin && at - begin <= in_file && value.mv_size <= in_file - (at - begin)) {
    if (in_file > known) map_checked_.store(in_file, std::memory_order_relaxed);
    return;
  }
  // Outside the map: a write transaction's own dirty pages live on the heap.
  // (Its id is above the newest committed one; a read snapshot's is not.)
  const bool in_map = at >= begin && at - begin < map_bytes;
  if (!in_map && mdb_txn_id(txn) > info.me_last_txnid) return;
  corrupt("LMDB returned a value of " + std::to_string(value.mv_size) + " bytes outside the file's " +
          std::to_string(in_file) + " mapped bytes");
}

namespace {

// Applies Environment::check_value to a value returned inside txn.
void check_mapped(MDB_txn* txn, const MDB_val& value) {
  const auto* env = static_cast<const Environment*>(mdb_env_get_userctx(mdb_txn_env(txn)));
  if (env) env->check_value(txn, value);
}

}  // namespace

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

uint64_t Environment::map_size() const {
  MDB_envinfo info;
  check_lmdb(mdb_env_info(env_, &info), "mdb_env_info");
  return info.me_mapsize;
}

void Environment::adopt_resized_map() const {
  gate_.lock();
  // 0: the size the last commit recorded (at least what the data needs).
  int rc = mdb_env_set_mapsize(env_, 0);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  if (rc == MDB_SUCCESS) relocate_map();
  gate_.unlock();
  check_lmdb(rc, "cannot follow the map growth of another process");
}

void Environment::grow_map(uint64_t seen) const {
  gate_.lock();
  int rc = MDB_SUCCESS;
  uint64_t current = 0;
  MDB_envinfo info;
  rc = mdb_env_info(env_, &info);
  if (rc == MDB_SUCCESS) current = info.me_mapsize;
  if (rc == MDB_SUCCESS && current <= seen) {  // else another thread grew it meanwhile
    if (current >= kMaxMapSize) {
      gate_.unlock();
      fail(ErrorCode::Storage, "the index file is full: its map has reached " + std::to_string(kMaxMapSize) + " bytes");
    }
    rc = mdb_env_set_mapsize(env_, std::min<uint64_t>(kMaxMapSize, current * 2));
    generation_.fetch_add(1, std::memory_order_acq_rel);
    if (rc == MDB_SUCCESS) relocate_map();
  }
  gate_.unlock();
  check_lmdb(rc, "cannot grow the map");
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

// ---------------------------------------------------------------- transactions

Transaction::~Transaction() { abort(); }

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
    int rc = begin_txn(env.env(), write ? 0 : MDB_RDONLY, &txn_);
    if (rc == MDB_SUCCESS) {
      gated_ = &env;
      generation_ = env.map_generation();
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
  release_gate();
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
  check_mapped(txn_, *value);
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

void Transaction::put(MDB_dbi dbi, uint32_t key, const std::vector<uint8_t>& bytes, unsigned flags) {
  MDB_val k{sizeof(key), &key};
  MDB_val v{bytes.size(), const_cast<uint8_t*>(bytes.data())};
  check_lmdb(mdb_put(txn_, dbi, &k, &v, flags), "write failed");
}

void Transaction::put(MDB_dbi dbi, const std::string& key, const std::vector<uint8_t>& bytes) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{bytes.size(), const_cast<uint8_t*>(bytes.data())};
  check_lmdb(mdb_put(txn_, dbi, &k, &v, 0), "write failed");
}

bool Transaction::del(MDB_dbi dbi, uint32_t key) {
  MDB_val k{sizeof(key), &key};
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  check_lmdb(rc, "delete failed");
  return true;
}

bool Transaction::del(MDB_dbi dbi, const std::string& key) {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  check_lmdb(rc, "delete failed");
  return true;
}

void Transaction::clear(MDB_dbi dbi) { check_lmdb(mdb_drop(txn_, dbi, 0), "cannot clear a database"); }

uint64_t Transaction::entries(MDB_dbi dbi) const {
  MDB_stat stat;
  check_lmdb(mdb_stat(txn_, dbi, &stat), "cannot read database statistics");
  return stat.ms_entries;
}

// ---------------------------------------------------------------- cursor

OpenCursor::OpenCursor(const Transaction& txn, MDB_dbi dbi) {
  check_lmdb(mdb_cursor_open(txn.txn(), dbi, &cursor_), "cannot open a cursor");
}

OpenCursor::~OpenCursor() {
  if (cursor_) mdb_cursor_close(cursor_);
}

bool OpenCursor::move(int op, MDB_val* key, MDB_val* value) {
  int rc = mdb_cursor_get(cursor_, key, value, static_cast<MDB_cursor_op>(op));
  if (rc == MDB_NOTFOUND) return false;
  check_lmdb(rc, "cursor read failed");
  check_mapped(mdb_cursor_txn(cursor_), *key);
  check_mapped(mdb_cursor_txn(cursor_), *value);
  return true;
}

bool Cursor::read(int op, uint32_t* key, MDB_val* value) {
  MDB_val k{sizeof(*key), key};  // the key sought, for MDB_SET_RANGE
  if (!move(op, &k, value)) return false;
  if (k.mv_size != sizeof(uint32_t)) corrupt("a key of an integer-keyed database is not 4 bytes");
  std::memcpy(key, k.mv_data, sizeof(uint32_t));
  return true;
}

bool Cursor::first(uint32_t* key, MDB_val* value) { return read(MDB_FIRST, key, value); }

bool Cursor::seek(uint32_t* key, MDB_val* value) { return read(MDB_SET_RANGE, key, value); }

bool Cursor::next(uint32_t* key, MDB_val* value) { return read(MDB_NEXT, key, value); }

bool Cursor::find(uint32_t key, MDB_val* value) {
  MDB_val k{sizeof(key), &key};
  int rc = mdb_cursor_get(cursor_, &k, value, MDB_SET);
  if (rc == MDB_NOTFOUND) return false;
  check_lmdb(rc, "cursor find failed");
  check_mapped(mdb_cursor_txn(cursor_), *value);
  return true;
}

void Cursor::put(uint32_t key, const void* bytes, size_t size) {
  MDB_val k{sizeof(key), &key};
  MDB_val v{size, const_cast<void*>(bytes)};
  MDB_val old;
  // MDB_CURRENT replaces the record the cursor is on (of any size) without
  // searching for it again.
  unsigned flags = find(key, &old) ? MDB_CURRENT : 0;
  check_lmdb(mdb_cursor_put(cursor_, &k, &v, flags), "write failed");
}

bool Cursor::del(uint32_t key) {
  MDB_val old;
  if (!find(key, &old)) return false;
  check_lmdb(mdb_cursor_del(cursor_, 0), "delete failed");
  return true;
}

bool KeyCursor::first(MDB_val* key, MDB_val* value) { return move(MDB_FIRST, key, value); }

bool KeyCursor::seek(const std::string& from, MDB_val* key, MDB_val* value) {
  *key = MDB_val{from.size(), const_cast<char*>(from.data())};
  return move(MDB_SET_RANGE, key, value);
}

bool KeyCursor::next(MDB_val* key, MDB_val* value) { return move(MDB_NEXT, key, value); }

}  // namespace arroy
