// The catalog (catalog.h): several indexes in one file, each built and read
// on its own, and creating and dropping an index when the map is full.
#include <lmdb.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "catalog.h"
#include "harness.h"
#include "index.h"
#include "index_fixtures.h"
#include "storage/environment.h"
#include "storage/lmdb_error.h"
#include "storage/transaction.h"

using namespace arroy_test;

TEST(several_indexes_in_one_file) {
  TempDir dir;
  const std::string path = dir.file("multi.arroy");
  std::mt19937_64 rng(3);
  Vectors a = random_items(rng, 200, 5), b = random_items(rng, 150, 9);
  {
    std::unique_ptr<Index> ia = Index::open(path, create_options(5, Metric::Euclidean, "a"));
    std::unique_ptr<Index> ib = Index::open(path, create_options(9, Metric::Cosine, "b"));
    add_all(*ia, a);
    add_all(*ib, b);
    build(*ia);
    CHECK_EQ(ib->size(), 0u);
    build(*ib);
    CHECK_EQ(ia->size(), 200u);
    CHECK_EQ(ib->size(), 150u);
  }
  check_file(path, "a", true);
  check_file(path, "b", true);
  std::unique_ptr<Index> ib = Index::open(path, existing("b", true));
  CHECK_EQ(ib->dimensions(), 9u);
  check_gets(*ib, b, {});
}

namespace {

// Fills the map of `env` until not even a small record fits.
void fill_map(arroy::Environment& env) {
  MDB_dbi scratch = 0;
  try {
    scratch = env.database({"scratch", true});
  } catch (const arroy::Error&) {
    arroy::Transaction txn;
    txn.begin(env, true);
    env.create_databases(txn, {{"scratch", true}}, [&](const std::vector<MDB_dbi>& dbis) { scratch = dbis[0]; });
  }
  uint32_t key = 0;
  {
    arroy::Transaction txn;
    txn.begin(env, false);
    key = static_cast<uint32_t>(txn.entries(scratch));
  }
  for (size_t bytes : {size_t(3000), size_t(8)}) {
    for (;; key++) {
      try {
        arroy::Transaction txn;
        txn.begin(env, true);
        txn.put(scratch, key, std::vector<uint8_t>(bytes, 7));
        txn.commit();
      } catch (const arroy::MapFull&) {
        break;
      }
    }
  }
}

// Another process holding a read snapshot of the file at `path`: LMDB cannot
// reuse a page freed after it, so every write needs fresh pages. Ended (by
// SIGKILL, its reader slot left for mdb_reader_check) when destroyed.
class PinnedSnapshot {
 public:
  explicit PinnedSnapshot(const std::string& path) {
    int ready[2];
    if (::pipe(ready) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      // A fresh environment: LMDB handles must not cross a fork.
      MDB_env* env = nullptr;
      MDB_txn* txn = nullptr;
      bool ok = mdb_env_create(&env) == 0 && mdb_env_set_maxdbs(env, 64) == 0 &&
                mdb_env_open(env, path.c_str(), MDB_NOSUBDIR | MDB_RDONLY, 0644) == 0 &&
                mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0;
      char byte = ok ? 1 : 0;
      if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char byte = 0;
    ok_ = ::read(ready[0], &byte, 1) == 1 && byte == 1;
    ::close(ready[0]);
  }
  ~PinnedSnapshot() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  bool ok() const { return ok_; }

 private:
  pid_t pid_ = -1;
  bool ok_ = false;
};

}  // namespace

TEST(creating_and_dropping_an_index_grow_a_full_map) {
  // LMDB spoils a transaction that fills the map. Index creation and drop
  // must then grow the map and try again, as builds do. A snapshot pinned by
  // another process makes every write need fresh pages, so that a write into
  // a map filled to the brim cannot fit.
  TempDir dir;
  const std::string path = dir.file("full.arroy");
  std::unique_ptr<Index> first = Index::open(path, [] {
    OpenOptions o = create_options(4, Metric::Euclidean, "first");
    o.map_size = 1 << 20;
    return o;
  }());
  auto env = arroy::Environment::open(path, {false, 0});  // the same environment, from the registry
  {
    PinnedSnapshot pinned(path);
    CHECK(pinned.ok());
    fill_map(*env);
    const uint64_t full = env->map_size();
    Index::open(path, create_options(4, Metric::Euclidean, "second"));
    CHECK(env->map_size() > full);
    CHECK(arroy::list_indexes(env) == std::vector<std::string>({"first", "second"}));

    fill_map(*env);
    const uint64_t full_again = env->map_size();
    CHECK(arroy::drop_index(env, "second"));
    CHECK(env->map_size() > full_again);
    CHECK(arroy::list_indexes(env) == std::vector<std::string>({"first"}));
  }
}
