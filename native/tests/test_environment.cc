// The process-wide registry of open files (storage/registry.h): every Index
// and Environment of a file in one process shares one LMDB environment, which
// closes with the last of them; read-only and read-write openings of one file
// exclude each other meanwhile.
#include <unistd.h>

#include <cerrno>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "index.h"
#include "index_fixtures.h"
#include "storage/environment.h"
#include "storage/lmdb_error.h"

using namespace arroy_test;

TEST(environment_registry_shares_one_env) {
  TempDir dir;
  const std::string path = dir.file("shared.arroy");
  std::mt19937_64 rng(11);
  Vectors items = random_items(rng, 100, 6);
  {
    std::unique_ptr<Index> first = Index::open(path, create_options(6, Metric::Euclidean));
    std::unique_ptr<Index> second = Index::open(path, existing());
    // Other spellings of the path reach the same file, hence the same env.
    const std::string link = dir.file("link.arroy");
    CHECK_EQ(::symlink(path.c_str(), link.c_str()), 0);
    auto env1 = arroy::Environment::open(path, {false, 0});
    auto env2 = arroy::Environment::open(link, {false, 0});
    auto env3 = arroy::Environment::open(dir.file("./shared.arroy"), {false, 0});
    CHECK(env1.get() == env2.get());
    CHECK(env1.get() == env3.get());
    // While it is open read-write, read-only opening is refused.
    CHECK_THROWS_CODE(Index::open(path, existing("vectors", true)), ErrorCode::InvalidArgument);
    CHECK_THROWS_CODE(arroy::Environment::open(link, {true, 0}), ErrorCode::InvalidArgument);
    // A build through one handle is visible through the other at once.
    add_all(*first, items);
    build(*first);
    CHECK_EQ(second->size(), 100u);
    check_gets(*second, items, {});
    // Closing one handle leaves the other working.
    first->close();
    CHECK(first->closed());
    CHECK_THROWS_CODE(first->size(), ErrorCode::Closed);
    std::vector<float> out;
    CHECK_THROWS_CODE(first->get(1, &out), ErrorCode::Closed);
    const std::vector<float>& query = items.begin()->second;
    CHECK_THROWS_CODE(first->search(query.data(), query.size(), {1, 0}), ErrorCode::Closed);
    CHECK_EQ(second->size(), 100u);
    second->close();
    // env1..3 still hold the environment: read-only is still refused.
    CHECK_THROWS_CODE(Index::open(path, existing("vectors", true)), ErrorCode::InvalidArgument);
  }
  // Every handle released: the environment closed, read-only works now.
  std::unique_ptr<Index> reader = Index::open(path, existing("vectors", true));
  CHECK(reader->read_only());
  CHECK_EQ(reader->size(), 100u);
  CHECK_THROWS_CODE(Index::open(path, existing("vectors", false)), ErrorCode::InvalidArgument);
  reader.reset();
  std::unique_ptr<Index> writer = Index::open(path, existing("vectors", false));
  CHECK(!writer->read_only());
}

TEST(a_full_disk_says_so) {
  // What a full file system gives: ENOSPC from a write, or EDQUOT over quota.
  for (int rc : {ENOSPC, EDQUOT}) {
    CONTEXT("rc=" << rc);
    try {
      arroy::throw_lmdb(rc, "cannot commit");
      CHECK(false);
    } catch (const arroy::Error& e) {
      CHECK_EQ(e.code(), arroy::ErrorCode::Storage);
      CHECK(std::string(e.what()).find("cannot commit: no space left on device") == 0);
    }
  }
  // EIO stays EIO unless the file system really is full (this one is not).
  CHECK_EQ(arroy::explain_write_error(EIO, nullptr), EIO);
  CHECK_EQ(arroy::explain_write_error(MDB_MAP_FULL, nullptr), MDB_MAP_FULL);
}

TEST(paths_with_a_nul_are_refused_by_the_core) {
  TempDir dir;
  const std::string real = dir.file("real.arroy");
  arroy::Environment::open(real, {false, 0});  // exists now: a NUL must not reach it
  const std::string hostile = real + std::string("\0.other", 7);
  CHECK_THROWS_CODE(arroy::Environment::open(hostile, {false, 0}), arroy::ErrorCode::InvalidArgument);
  CHECK_THROWS_CODE(arroy::Environment::open("", {true, 0}), arroy::ErrorCode::InvalidArgument);
}
