// Inspecting an index (inspect.h): stats walk past damage that check refuses.
// (Every other index test runs the checker after its builds.)
#include <lmdb.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "format.h"
#include "harness.h"
#include "index.h"
#include "index_fixtures.h"
#include "inspect.h"
#include "records/u32_records.h"
#include "storage/environment.h"
#include "storage/transaction.h"

using namespace arroy_test;

// A key record naming an item that does not name it back: stats (inspect
// without verify) must walk past it, and check must refuse it. Found by
// fuzz_search: stats closed the keys cursor on that mismatch and then kept
// using it.
TEST(inspect_survives_a_dangling_key) {
  TempDir dir;
  const std::string path = dir.file("keys.arroy");
  std::mt19937_64 rng(11);
  {
    OpenOptions o = create_options(4, Metric::Euclidean, "named");
    o.string_keys = true;
    std::unique_ptr<Index> index = Index::open(path, o);
    for (int i = 0; i < 20; i++) {
      std::vector<float> v = normal_vector(rng, 4);
      index->add_key("key-" + std::to_string(i), v.data(), v.size());
    }
    build(*index);
  }
  {
    auto env = arroy::Environment::open(path, {false, 0});
    MDB_dbi keys = env->database({arroy::keys_database(0), false});
    arroy::Transaction txn;
    txn.begin(*env, true);
    txn.put(keys, std::string("key-3"), arroy::encode_u32_list({999999u}));
    txn.commit();
  }
  std::unique_ptr<Index> index = Index::open(path, existing("named"));
  arroy::IndexStats stats = index->inspect(false);
  CHECK_EQ(stats.items, 20u);
  CHECK_THROWS_CODE(index->inspect(true), ErrorCode::Corrupt);
}
