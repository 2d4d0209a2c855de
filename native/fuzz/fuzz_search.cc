// Search and friends on a damaged index file. Once per process a small valid
// file is built (pristine_file.h); each input is a list of patches to the
// values arroy-ts stored in it (never to LMDB's own page structure). The
// patched copy is opened with the core API and read every way a user can:
// open, counts, get, search by vector and by item, keys, inspect and check.
// Every failure must be an arroy::Error; anything else is a finding.
//
// Input: flags u8 (1: open read-only, 2: inspect with verify, as check()
// does), then patches until the input ends (at most kMaxPatches):
//   kind u8 | where u32 | (write only) up to 8 bytes
// `where` picks a byte among all value bytes of the file; kind's low bit
// chooses a bit flip (bit kind>>1 & 7) or a write of 1 + (kind>>1) % 8 bytes,
// clipped to the end of that value.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "errors.h"
#include "fixtures.h"
#include "fuzz_input.h"
#include "index.h"
#include "pristine_file.h"

namespace {

constexpr int kMaxPatches = 32;

using arroy_test::StoredValue;

struct Fixture {
  arroy_test::TempDir dir{"arroy-fuzz-search"};
  std::string damaged_path = dir.file("damaged.arroy");
  PristineFile pristine = make_pristine_file(dir.file("pristine.arroy"));
  std::vector<size_t> value_starts;  // prefix sums of the value sizes, for picking a byte
  Fixture() {
    size_t total = 0;
    for (const StoredValue& v : pristine.values) {
      value_starts.push_back(total);
      total += v.size;
    }
  }
};

// Destroyed at exit(), which removes its directory and files.
Fixture& fixture() {
  static Fixture f;
  return f;
}

// The index of the value holding the n-th value byte.
size_t value_of_byte(const Fixture& f, size_t n) {
  return size_t(std::upper_bound(f.value_starts.begin(), f.value_starts.end(), n) - f.value_starts.begin()) - 1;
}

std::vector<uint8_t> patched_copy(const Fixture& f, FuzzInput& in) {
  std::vector<uint8_t> bytes = f.pristine.bytes;
  for (int i = 0; i < kMaxPatches && !in.empty(); i++) {
    const uint8_t kind = in.u8();
    const size_t n = in.u32() % f.pristine.value_bytes;
    const size_t which = value_of_byte(f, n);
    const StoredValue& value = f.pristine.values[which];
    const size_t at = value.offset + (n - f.value_starts[which]);
    if (kind & 1) {
      bytes[at] ^= uint8_t(1u << ((kind >> 1) & 7));
    } else {
      const size_t room = value.offset + value.size - at;
      const std::vector<uint8_t> data = in.bytes(std::min<size_t>(room, 1 + (kind >> 1) % 8));
      std::copy(data.begin(), data.end(), bytes.begin() + at);
    }
  }
  return bytes;
}

// Runs one read; an arroy::Error is the accepted way to fail.
template <class Body>
void attempt(Body&& body) {
  try {
    body();
  } catch (const arroy::Error&) {
  }
}

void read_everything(arroy::Index& index, const PristineIndex& p, bool verify) {
  // A query has the dimensions the opened index reports, as the binding
  // insists; damaged metadata may report other dimensions than were built.
  std::vector<float> query(p.query);
  query.resize(index.dimensions(), 0.5f);
  std::vector<float> out;
  attempt([&] { index.size(); });
  attempt([&] { index.tree_count(); });
  attempt([&] { index.seed(); });
  for (size_t i = 0; i < p.ids.size(); i += 23) attempt([&] { index.get(p.ids[i], &out); });
  attempt([&] { index.get(0xDEADBEEFu, &out); });
  attempt([&] { index.ids_from(0, 64); });
  attempt([&] { index.distance(p.ids.front(), p.ids.back()); });
  attempt([&] { index.search(query.data(), query.size(), {10, 0}); });
  attempt([&] { index.search(query.data(), query.size(), {100, 1u << 20}); });  // every tree to the end
  for (size_t i = 0; i < p.ids.size(); i += 61) attempt([&] { index.search_by_id(p.ids[i], {5, 0}); });
  if (p.string_keys) {
    std::vector<std::string> keys;
    attempt([&] { index.search(query.data(), query.size(), {10, 0}, &keys); });
    attempt([&] { index.search_by_id(p.ids.front(), {10, 0}, &keys); });
    attempt([&] { index.keys_from("", 32); });
    for (size_t i = 0; i < p.keys.size(); i += 13) attempt([&] { index.id_of_key(p.keys[i]); });
  }
  // stats() walks on past what check() would refuse; both must stay in bounds.
  attempt([&] { index.inspect(verify); });
}

void exercise(const std::string& path, const PristineIndex& p, bool read_only, bool verify) {
  std::unique_ptr<arroy::Index> index;
  attempt([&] { index = arroy::Index::open(path, arroy_test::existing(p.name, read_only)); });
  if (!index) return;
  read_everything(*index, p, verify);
  index->close();
}

size_t open_descriptors() {
  size_t n = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (::readdir(dir)) n++;
    ::closedir(dir);
  }
  return n;
}

// Every Index is closed after each input, so the process-wide environment
// registry must let go of the file: a leaked environment would keep its
// descriptors open and, worse, hand a stale map to the next input.
void check_nothing_left_open() {
  static size_t baseline = 0;
  static uint64_t runs = 0;
  if (runs++ % 512 != 0) return;
  const size_t now = open_descriptors();
  if (baseline == 0) baseline = now;
  if (now > baseline + 4) {
    std::fprintf(stderr, "fuzz_search: %zu descriptors open, %zu at the start: an environment leaked\n", now, baseline);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = fixture();
  FuzzInput in(data, size);
  const uint8_t flags = in.u8();
  arroy_test::write_file(f.damaged_path, patched_copy(f, in));
  for (const PristineIndex& p : f.pristine.indexes) exercise(f.damaged_path, p, flags & 1, flags & 2);
  ::unlink(f.damaged_path.c_str());
  ::unlink((f.damaged_path + "-lock").c_str());
  check_nothing_left_open();
  return 0;
}
