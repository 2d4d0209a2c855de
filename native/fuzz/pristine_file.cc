#include "pristine_file.h"

#include <lmdb.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include "index.h"
#include "records.h"
#include "slabs.h"
#include "storage.h"

namespace {

[[noreturn]] void give_up(const char* why) {
  std::fprintf(stderr, "fuzz_search: cannot prepare the pristine file: %s\n", why);
  std::abort();
}

std::vector<float> random_vector(std::mt19937_64& rng, uint32_t dimensions) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(dimensions);
  for (float& x : v) x = normal(rng);
  return v;
}

void build(arroy::Index& index, uint32_t trees) {
  arroy::BuildOptions options;
  options.threads = 1;
  options.trees = trees;
  options.seed = 7;
  options.has_seed = true;
  std::unique_ptr<arroy::BuildJob> job = index.start_build(options);
  arroy::BuildMonitor monitor;
  job->run(monitor);
}

arroy::OpenOptions create_options(const std::string& name, uint32_t dimensions, arroy::Metric metric,
                                  bool string_keys) {
  arroy::OpenOptions options;
  options.name = name;
  options.dimensions = dimensions;
  options.metric = metric;
  options.string_keys = string_keys;
  return options;
}

// An id-keyed index built twice (so it has free slots, a free list and an
// updated forest), with ids spread over the whole u32 range.
PristineIndex make_id_index(const std::string& path, std::mt19937_64& rng) {
  PristineIndex p{"vectors", false, 6, {}, {}, {}};
  std::unique_ptr<arroy::Index> index =
      arroy::Index::open(path, create_options(p.name, p.dimensions, arroy::Metric::Euclidean, false));
  for (uint32_t i = 0; i < 300; i++) {
    const uint32_t id = i * 2654435761u;
    std::vector<float> v = random_vector(rng, p.dimensions);
    index->add(id, v.data(), v.size());
  }
  build(*index, 6);
  for (uint32_t i = 0; i < 300; i++) {
    const uint32_t id = i * 2654435761u;
    if (i % 10 == 3) {
      index->remove(id);
    } else {
      p.ids.push_back(id);
    }
  }
  build(*index, 6);
  p.query = random_vector(rng, p.dimensions);
  return p;
}

// A string-keyed cosine index: exercises the key databases and the norm cache.
PristineIndex make_keyed_index(const std::string& path, std::mt19937_64& rng) {
  PristineIndex p{"named", true, 3, {}, {}, {}};
  std::unique_ptr<arroy::Index> index =
      arroy::Index::open(path, create_options(p.name, p.dimensions, arroy::Metric::Cosine, true));
  for (uint32_t i = 0; i < 80; i++) {
    p.keys.push_back("item-" + std::to_string(i));
    std::vector<float> v = random_vector(rng, p.dimensions);
    index->add_key(p.keys.back(), v.data(), v.size());
  }
  build(*index, 4);
  for (const std::string& key : p.keys) {
    std::optional<uint32_t> id = index->id_of_key(key);
    if (!id) give_up("a key was not stored");
    p.ids.push_back(*id);
  }
  p.query = random_vector(rng, p.dimensions);
  return p;
}

std::vector<uint8_t> read_whole_file(const std::string& path) {
  std::vector<uint8_t> bytes;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) give_up("cannot read it back");
  uint8_t buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  std::fclose(f);
  return bytes;
}

// Where this process mapped the file from offset 0. (mdb_env_info's
// me_mapaddr only reports a fixed address requested with MDB_FIXEDMAP, so
// the kernel's list of mappings is asked instead.)
const uint8_t* find_map(const std::string& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (!resolved) give_up("cannot resolve its path");
  const std::string wanted(resolved);
  std::free(resolved);
  FILE* maps = std::fopen("/proc/self/maps", "r");
  if (!maps) give_up("no /proc/self/maps");
  const uint8_t* found = nullptr;
  char line[4096];
  while (!found && std::fgets(line, sizeof(line), maps)) {
    unsigned long start = 0, end = 0, offset = 0;
    char name[4096] = "";
    if (std::sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &start, &end, &offset, name) == 4 && offset == 0 &&
        wanted == name) {
      found = reinterpret_cast<const uint8_t*>(start);
    }
  }
  std::fclose(maps);
  if (!found) give_up("the file is not mapped");
  return found;
}

// Every value of every database of the file, as file offsets: a read
// snapshot's values point into the memory map of the file.
std::vector<ValueRange> locate_values(const std::string& path, const std::vector<uint8_t>& file) {
  const size_t file_size = file.size();
  std::shared_ptr<arroy::Environment> env = arroy::Environment::open(path, {true, 0});
  const uint8_t* map = find_map(path);

  std::vector<arroy::CatalogEntry> catalog;
  {
    arroy::Transaction txn;
    txn.begin(*env, false);
    MDB_val value;
    if (!txn.get(env->main_database(), std::string(arroy::kCatalogKey), &value)) give_up("no catalog");
    catalog = arroy::decode_catalog(value.mv_data, value.mv_size);
  }
  // Opened before the snapshot below begins: a transaction only sees the
  // database handles that existed when it started.
  std::vector<MDB_dbi> databases{env->main_database()};
  for (const arroy::CatalogEntry& entry : catalog) {
    for (const auto& spec : arroy::index_database_specs(entry.index)) databases.push_back(env->database(spec));
  }
  arroy::Transaction txn;
  txn.begin(*env, false);

  std::vector<ValueRange> values;
  for (MDB_dbi dbi : databases) {
    MDB_cursor* cursor = nullptr;
    arroy::check_lmdb(mdb_cursor_open(txn.txn(), dbi, &cursor), "mdb_cursor_open");
    MDB_val key, value;
    for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
      const uint8_t* at = static_cast<const uint8_t*>(value.mv_data);
      if (at < map || size_t(at - map) + value.mv_size > file_size ||
          std::memcmp(file.data() + (at - map), at, value.mv_size) != 0) {
        give_up("a value outside the file, or not where its bytes are");
      }
      if (value.mv_size) values.push_back({size_t(at - map), value.mv_size});
    }
    mdb_cursor_close(cursor);
  }
  std::sort(values.begin(), values.end(), [](const ValueRange& a, const ValueRange& b) { return a.offset < b.offset; });
  return values;
}

}  // namespace

PristineFile make_pristine_file(const std::string& path) {
  PristineFile file;
  std::mt19937_64 rng(20240611);
  try {
    file.indexes.push_back(make_id_index(path, rng));
    file.indexes.push_back(make_keyed_index(path, rng));
    file.bytes = read_whole_file(path);
    file.values = locate_values(path, file.bytes);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_search: %s\n", e.what());
    give_up("the core refused to build it");
  }
  for (const ValueRange& v : file.values) file.value_bytes += v.size;
  if (file.value_bytes == 0) give_up("no values found");
  return file;
}
