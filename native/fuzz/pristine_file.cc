#include "pristine_file.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <random>

#include "index.h"

using arroy_test::build;
using arroy_test::create_options;
using arroy_test::normal_vector;

namespace {

[[noreturn]] void give_up(const char* why) {
  std::fprintf(stderr, "fuzz_search: cannot prepare the pristine file: %s\n", why);
  std::abort();
}

// One thread and a fixed seed: the same file in every run.
arroy::BuildOptions build_options(uint32_t trees) {
  arroy::BuildOptions options;
  options.threads = 1;
  options.trees = trees;
  options.seed = 7;
  options.has_seed = true;
  return options;
}

// An id-keyed index built twice (so it has free slots, a free list and an
// updated forest), with ids spread over the whole u32 range.
PristineIndex make_id_index(const std::string& path, std::mt19937_64& rng) {
  PristineIndex p{"vectors", false, 6, {}, {}, {}};
  std::unique_ptr<arroy::Index> index =
      arroy::Index::open(path, create_options(p.dimensions, arroy::Metric::Euclidean, p.name));
  for (uint32_t i = 0; i < 300; i++) {
    const std::vector<float> v = normal_vector(rng, p.dimensions);
    index->add(i * 2654435761u, v.data(), v.size());
  }
  build(*index, build_options(6));
  for (uint32_t i = 0; i < 300; i++) {
    const uint32_t id = i * 2654435761u;
    if (i % 10 == 3) {
      index->remove(id);
    } else {
      p.ids.push_back(id);
    }
  }
  build(*index, build_options(6));
  p.query = normal_vector(rng, p.dimensions);
  return p;
}

// A string-keyed cosine index: exercises the key databases and the norm cache.
PristineIndex make_keyed_index(const std::string& path, std::mt19937_64& rng) {
  PristineIndex p{"named", true, 3, {}, {}, {}};
  arroy::OpenOptions options = create_options(p.dimensions, arroy::Metric::Cosine, p.name);
  options.string_keys = true;
  std::unique_ptr<arroy::Index> index = arroy::Index::open(path, options);
  for (uint32_t i = 0; i < 80; i++) {
    p.keys.push_back("item-" + std::to_string(i));
    const std::vector<float> v = normal_vector(rng, p.dimensions);
    index->add_key(p.keys.back(), v.data(), v.size());
  }
  build(*index, build_options(4));
  for (const std::string& key : p.keys) {
    std::optional<uint32_t> id = index->id_of_key(key);
    if (!id) give_up("a key was not stored");
    p.ids.push_back(*id);
  }
  p.query = normal_vector(rng, p.dimensions);
  return p;
}

}  // namespace

PristineFile make_pristine_file(const std::string& path) {
  PristineFile file;
  std::mt19937_64 rng(20240611);
  try {
    file.indexes.push_back(make_id_index(path, rng));
    file.indexes.push_back(make_keyed_index(path, rng));
    file.bytes = arroy_test::read_file(path);
    file.values = arroy_test::locate_values(path, file.bytes);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_search: %s\n", e.what());
    give_up("the core refused to build it");
  }
  for (const arroy_test::StoredValue& v : file.values) file.value_bytes += v.size;
  if (file.value_bytes == 0) give_up("no values found");
  return file;
}
