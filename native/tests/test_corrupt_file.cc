// Damaged index files: every operation on a corrupted file must either work
// or throw arroy::Error. Never a crash, a hang, another exception, or (under
// ASan/UBSan) a sanitizer report.
//
// A small real file (two indexes: one with one-page slabs, one with slabs of
// several pages, so LMDB overflow pages are involved; built twice, so it has
// free slots and free pages) is made once, then copied with one kind of
// damage, opened (read-only and read-write alternately) and queried: size,
// tree count, get, search, searchById, and where LMDB's own structure is
// intact, a build.
//   value_bytes                 hostile values for every field of arroy-ts
//                               records, located with cursors
//   page_bytes_in_values        random bytes at random places of pages 2..,
//                               restricted to bytes of stored values
//   meta_pages                  random bytes and hostile u32s in both LMDB
//                               meta pages, except the page size field
//   meta_page_size              the same for the page size field
//   whole_pages_zero_filled     each page in turn (meta pages included) zeroed
//   whole_pages_values_random   each page's value bytes replaced at random
//   tail_lost                   zeros from some offset to the end
//   truncated_within_meta_pages files too short for both meta records
//   truncated                   files cut after the meta pages, before
//                               their last page
//   zero_filled                 all zeros; a text file; an empty file
//
// LMDB maps the file and trusts its meta pages, page headers and node
// offsets. Two kinds of damage used to crash it and are now refused before
// mdb_env_open (check_lmdb_file, storage/file_check.h): a file shorter than
// the last page its meta page names (SIGBUS on the first read past the end),
// and a bad page size in a meta page (a division by zero in mdb_env_open2, or
// a misaligned second meta page). Values LMDB returns outside the mapped file
// are refused by the storage accessors (Environment::check_value).
//
// Random bytes in LMDB's page headers and node headers used to send stock
// LMDB 0.9 (mdb_node_search, mdb_page_search_root) to misaligned or
// out-of-file addresses; lmdb_page_damage covers them now that LMDB is
// built with native/patches/lmdb-robust.patch and the map has a fault guard.
//
// Each damaged copy is exercised in a child process (in batches), so that a
// crash or sanitizer abort is reported as a failure naming the exact damage,
// with the sanitizer's report, instead of ending the whole test binary.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fixtures.h"
#include "format.h"
#include "harness.h"
#include "index.h"
#include "storage/environment.h"

using arroy::ErrorCode;
using arroy::Index;
using arroy::Metric;
using Bytes = std::vector<uint8_t>;
using namespace arroy_test;

namespace {

// ---------------------------------------------------------------- the pristine file

constexpr uint32_t kSmallDims = 8;   // slot of 44 bytes: one-page slabs
constexpr uint32_t kLargeDims = 300; // slot of 1212 bytes: slabs of several pages
const char* const kSmallName = "small";
const char* const kLargeName = "large";

struct Pristine {
  Bytes bytes;
  uint32_t page_size = 0;
  std::vector<uint32_t> small_ids, large_ids;
  std::vector<float> small_query, large_query;
};

// One build thread: the damaged copies are built in forked children.
arroy::BuildOptions one_thread(uint32_t trees = 0) {
  arroy::BuildOptions options;
  options.threads = 1;
  options.trees = trees;
  return options;
}

Pristine make_pristine(const TempDir& dir) {
  Pristine p;
  const std::string path = dir.file("pristine.arroy");
  std::mt19937_64 rng(4242);
  {
    std::unique_ptr<Index> small = Index::open(path, create_options(kSmallDims, Metric::Euclidean, kSmallName));
    std::unique_ptr<Index> large = Index::open(path, create_options(kLargeDims, Metric::Cosine, kLargeName));
    for (uint32_t i = 0; i < 400; i++) {
      uint32_t id = i * 7919u + (i == 399 ? 0xFFFF0000u : 0);
      std::vector<float> v = normal_vector(rng, kSmallDims);
      small->add(id, v.data(), v.size());
      p.small_ids.push_back(id);
    }
    for (uint32_t i = 0; i < 60; i++) {
      std::vector<float> v = normal_vector(rng, kLargeDims);
      large->add(i, v.data(), v.size());
      p.large_ids.push_back(i);
    }
    build(*small, one_thread());
    build(*large, one_thread(3));
    // A second round of changes, so that the file holds free slots, a free
    // list record and LMDB free pages.
    for (uint32_t i = 0; i < 40; i++) small->remove(p.small_ids[i * 3]);
    for (uint32_t i = 0; i < 5; i++) large->remove(p.large_ids[i * 2]);
    std::vector<float> v = normal_vector(rng, kSmallDims);
    small->add(p.small_ids[1], v.data(), v.size());
    build(*small, one_thread(5));
    build(*large, one_thread(3));
  }
  p.small_query = normal_vector(rng, kSmallDims);
  p.large_query = normal_vector(rng, kLargeDims);
  p.bytes = read_file(path);
  auto env = arroy::Environment::open(path, {true, 0});
  p.page_size = env->page_size();
  return p;
}

// ---------------------------------------------------------------- exercising a damaged copy

// What a child reports back through a pipe.
struct ChildReport {
  uint32_t opened = 0;      // Index::open calls that succeeded
  uint32_t succeeded = 0;   // other operations that returned
  uint32_t errors[16] = {}; // arroy::Error thrown, by code
  uint32_t unexpected = 0;  // anything else thrown
};

struct Exercise {
  const Pristine* pristine;
  bool read_only;
  bool build;  // also add, remove and rebuild (only where LMDB's structure is intact)
};

template <class F>
void attempt(ChildReport& report, const char* what, F&& body) {
  try {
    body();
    report.succeeded++;
  } catch (const arroy::Error& e) {
    report.errors[static_cast<int>(e.code())]++;
  } catch (const std::exception& e) {
    std::printf("  unexpected exception from %s: %s\n", what, e.what());
    report.unexpected++;
  } catch (...) {
    std::printf("  unexpected non-std exception from %s\n", what);
    report.unexpected++;
  }
}

void exercise_index(ChildReport& report, const std::string& path, const Exercise& how, const char* name,
                    const std::vector<uint32_t>& ids, const std::vector<float>& query) {
  std::unique_ptr<Index> index;
  try {
    index = Index::open(path, existing(name, how.read_only));
    report.opened++;
  } catch (const arroy::Error& e) {
    report.errors[static_cast<int>(e.code())]++;
    return;
  } catch (const std::exception& e) {
    std::printf("  unexpected exception from open: %s\n", e.what());
    report.unexpected++;
    return;
  }
  attempt(report, "size", [&] { index->size(); });
  attempt(report, "tree_count", [&] { index->tree_count(); });
  std::vector<float> out;
  for (size_t i = 0; i < ids.size(); i += 9) attempt(report, "get", [&] { index->get(ids[i], &out); });
  attempt(report, "get missing", [&] { index->get(123456789u, &out); });
  attempt(report, "search", [&] { index->search(query.data(), query.size(), {10, 0}); });
  attempt(report, "exhaustive search", [&] { index->search(query.data(), query.size(), {10, 100000}); });
  attempt(report, "search k=1000", [&] { index->search(query.data(), query.size(), {1000, 0}); });
  for (size_t i = 0; i < ids.size(); i += 37) {
    attempt(report, "search_by_id", [&] { index->search_by_id(ids[i], {5, 0}); });
  }
  if (how.build && !how.read_only) {
    attempt(report, "build", [&] {
      std::vector<float> v(query);
      v[0] += 1;
      index->add(0xABCDEFu, v.data(), v.size());
      index->remove(ids[ids.size() / 2]);
      build(*index, one_thread(2));
    });
    attempt(report, "search after build", [&] { index->search(query.data(), query.size(), {10, 0}); });
  }
}

void exercise(ChildReport& report, const std::string& path, const Exercise& how) {
  exercise_index(report, path, how, kSmallName, how.pristine->small_ids, how.pristine->small_query);
  exercise_index(report, path, how, kLargeName, how.pristine->large_ids, how.pristine->large_query);
}

// What a crashed child printed on stderr (its sanitizer report, if any):
// the lines worth showing, and whether the crash happened inside LMDB.
struct CrashReport {
  std::string summary;  // first report line and the top frames
  bool in_lmdb = false;
};

CrashReport read_crash_report(const std::string& path) {
  CrashReport r;
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return r;
  char line[2048];
  int frames = 0;
  bool started = false;
  while (std::fgets(line, sizeof(line), f)) {
    std::string text(line);
    const bool first = !started && (text.find("runtime error") != std::string::npos ||
                                    text.find("ERROR: AddressSanitizer") != std::string::npos);
    if (first) {
      started = true;
      r.summary += "    " + text;
      // A UBSan report names the file first; ASan names it in frame #0.
      r.in_lmdb = text.find("liblmdb/mdb.c") != std::string::npos;
      continue;
    }
    if (started && frames < 4 && text.find("    #") == 0) {
      if (frames == 0 && text.find("liblmdb/mdb.c") != std::string::npos) r.in_lmdb = true;
      r.summary += "  " + text;
      frames++;
    }
  }
  std::fclose(f);
  return r;
}

// Damaged copies of one kind, exercised in batches: each batch runs in one
// child process, which sends a ChildReport after each case. When a child ends
// abnormally, the first case without a report is the one that killed it;
// the cases after it run again in a new child.
class Tally {
 public:
  explicit Tally(const TempDir& dir) : dir_(dir) {}
  ~Tally() { flush(); }
  Tally(const Tally&) = delete;
  Tally& operator=(const Tally&) = delete;

  void add(const Bytes& bytes, const Exercise& how, const std::string& damage) {
    static int counter = 0;
    Case c{dir_.file("damaged-" + std::to_string(counter++) + ".arroy"), how, damage};
    write_file(c.path, bytes);
    queue_.push_back(std::move(c));
    if (queue_.size() >= kBatch) flush();
  }

  void flush() {
    size_t from = 0;
    while (from < queue_.size()) from = run_batch(from);
    for (const Case& c : queue_) {
      ::unlink(c.path.c_str());
      ::unlink((c.path + "-lock").c_str());
    }
    queue_.clear();
  }

  void print(const char* kind) {
    flush();
    std::printf("%s: %u damaged files, %u crashed (%u inside LMDB); %u opens, %u operations returned; errors:", kind,
                cases_, crashed_, crashed_in_lmdb_, sum_.opened, sum_.succeeded);
    for (int i = 0; i <= static_cast<int>(ErrorCode::Storage); i++) {
      if (sum_.errors[i]) std::printf(" %s=%u", arroy::error_code_name(static_cast<ErrorCode>(i)), sum_.errors[i]);
    }
    std::printf("\n");
  }

  uint32_t cases() const { return cases_; }
  uint32_t crashed() const { return crashed_; }
  const ChildReport& sum() const { return sum_; }

 private:
  static constexpr size_t kBatch = 32;
  struct Case {
    std::string path;
    Exercise how;
    std::string damage;
  };

  // Runs queue_[from..] in one child; returns where to continue.
  size_t run_batch(size_t from) {
    int channel[2];
    if (::pipe(channel) != 0) std::abort();
    const std::string errors = dir_.file("child-stderr.txt");
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = ::fork();
    if (pid < 0) std::abort();
    if (pid == 0) {
      ::close(channel[0]);
      int fd = ::open(errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 2);
        ::close(fd);
      }
      ::alarm(300);  // a hang is a failure too
      for (size_t i = from; i < queue_.size(); i++) {
        ChildReport report;
        exercise(report, queue_[i].path, queue_[i].how);
        std::fflush(stdout);
        if (::write(channel[1], &report, sizeof(report)) != ssize_t(sizeof(report))) ::_exit(4);
      }
      ::_exit(0);
    }
    ::close(channel[1]);
    size_t next = from;
    for (;;) {
      ChildReport report;
      size_t got = 0;
      while (got < sizeof(report)) {
        ssize_t n = ::read(channel[0], reinterpret_cast<char*>(&report) + got, sizeof(report) - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += size_t(n);
      }
      if (got != sizeof(report)) break;
      const Case& c = queue_[next++];
      cases_++;
      if (!CHECK_EQ(report.unexpected, 0u)) std::printf("  damage: %s\n", c.damage.c_str());
      sum_.opened += report.opened;
      sum_.succeeded += report.succeeded;
      sum_.unexpected += report.unexpected;
      for (int i = 0; i < 16; i++) sum_.errors[i] += report.errors[i];
    }
    ::close(channel[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const bool normal_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (next == queue_.size() && normal_exit) return next;

    const Case& c = queue_[std::min(next, queue_.size() - 1)];
    cases_++;
    crashed_++;
    CrashReport crash = read_crash_report(errors);
    crashed_in_lmdb_ += crash.in_lmdb;
    std::string ended = WIFSIGNALED(status) ? std::string("signal ") + strsignal(WTERMSIG(status))
                                            : "exit status " + std::to_string(WEXITSTATUS(status));
    CHECK(!"the process ended abnormally on a damaged file");
    std::printf("  damage: %s (%s, %s)\n%s", c.damage.c_str(), c.how.read_only ? "read-only" : "read-write",
                ended.c_str(), crash.summary.c_str());
    return next + 1;
  }

  const TempDir& dir_;
  std::vector<Case> queue_;
  uint32_t cases_ = 0, crashed_ = 0, crashed_in_lmdb_ = 0;
  ChildReport sum_;
};

// The pristine file, built once for every test of this binary.
struct Fixture {
  TempDir dir;
  Pristine pristine;
  std::vector<StoredValue> values;
  Fixture() {
    pristine = make_pristine(dir);
    values = locate_values(dir.file("pristine.arroy"), pristine.bytes);
  }
};

// Built on first use; removed (with its directory) when the parent process
// exits. Children leave with _exit and never destroy it.
Fixture& fixture() {
  static Fixture f;
  return f;
}

}  // namespace

TEST(pristine_file_works) {
  Fixture& f = fixture();
  CHECK(f.pristine.bytes.size() >= 8 * f.pristine.page_size);
  CHECK_EQ(f.pristine.bytes.size() % f.pristine.page_size, 0u);
  std::printf("pristine file: %zu bytes, %zu pages of %u, %zu stored values\n", f.pristine.bytes.size(),
              f.pristine.bytes.size() / f.pristine.page_size, f.pristine.page_size, f.values.size());
  // Both exercised undamaged: everything succeeds.
  for (bool read_only : {true, false}) {
    Tally t(f.dir);
    t.add(f.pristine.bytes, {&f.pristine, read_only, true}, "none");
    t.flush();
    CHECK_EQ(t.crashed(), 0u);
    uint32_t errors = 0;
    for (uint32_t e : t.sum().errors) errors += e;
    CHECK_EQ(errors, 0u);
    CHECK_EQ(t.sum().opened, 2u);
  }
  // Some slabs take several overflow pages.
  bool multi_page_value = false;
  for (const StoredValue& v : f.values) multi_page_value |= v.size > 2 * f.pristine.page_size;
  CHECK(multi_page_value);
}

TEST(value_bytes) {
  Fixture& f = fixture();
  std::mt19937_64 rng(1);
  Tally tally(f.dir);
  int n = 0;
  auto damaged = [&](const StoredValue& v, const std::string& what, const std::function<void(uint8_t*)>& change) {
    Bytes bytes = f.pristine.bytes;
    change(bytes.data() + v.offset);
    tally.add(bytes, {&f.pristine, (n++ % 3) == 2, true},
              v.database + "[" + v.key + "] (" + std::to_string(v.size) + " bytes at " + std::to_string(v.offset) +
                  "): " + what);
  };
  const uint32_t hostile[] = {0, 1, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0x00FFFFFFu, 0x01000000u};
  size_t ids_seen = 0, nodes_seen = 0;
  for (const StoredValue& v : f.values) {
    const bool is_meta = v.key.rfind("meta/", 0) == 0;
    const bool is_catalog = v.key == arroy::kCatalogKey || v.key == arroy::kFileHeaderKey;
    const bool is_ids = v.database.find("/ids") != std::string::npos;
    const bool is_slab = v.database.find("/slabs") != std::string::npos;
    const bool is_free = v.key.rfind("free/", 0) == 0;
    if (is_ids && ids_seen++ % 20 != 0) continue;  // a sample of the many id records
    if (is_meta || is_catalog || is_free) {
      // Each u32-aligned field set to each hostile value.
      for (size_t at = 0; at + 4 <= v.size; at += 4) {
        for (uint32_t value : hostile) {
          damaged(v, "u32 at " + std::to_string(at) + " = " + std::to_string(value),
                  [&](uint8_t* p) { std::memcpy(p + at, &value, 4); });
        }
      }
    } else if (is_ids) {
      for (uint32_t value : {0u, 5u, 399u, 100000u, 0xFFFFFFFFu}) {
        damaged(v, "slot = " + std::to_string(value), [&](uint8_t* p) { std::memcpy(p, &value, 4); });
      }
    } else if (is_slab) {
      // Headers of a few slots: id, state, norm; and values.
      const uint32_t dims = v.database.find("/0/") != std::string::npos ? kSmallDims : kLargeDims;
      const size_t slot = arroy::slot_size(dims);
      for (size_t s = 0; s < v.size / slot; s += 13) {
        damaged(v, "slot " + std::to_string(s) + " state = 2", [&](uint8_t* p) { p[s * slot + 4] = 2; });
        damaged(v, "slot " + std::to_string(s) + " state flipped", [&](uint8_t* p) { p[s * slot + 4] ^= 1; });
        damaged(v, "slot " + std::to_string(s) + " item id", [&](uint8_t* p) { p[s * slot + 1] ^= 0x40; });
        damaged(v, "slot " + std::to_string(s) + " norm = NaN",
                [&](uint8_t* p) { std::memcpy(p + s * slot + 8, "\x00\x00\xc0\x7f", 4); });
        damaged(v, "slot " + std::to_string(s) + " value = inf",
                [&](uint8_t* p) { std::memcpy(p + s * slot + 12, "\x00\x00\x80\x7f", 4); });
      }
    } else {
      // Tree nodes (a sample of them): every u32 field of the header hostile,
      // and NaN in the plane.
      if (nodes_seen++ % 3 != 0) continue;
      for (size_t at = 0; at + 4 <= v.size && at < 24; at += 4) {
        for (uint32_t value : {0u, 0x7FFFFFFFu, 0xFFFFFFFFu, 0x01000000u}) {
          damaged(v, "u32 at " + std::to_string(at) + " = " + std::to_string(value),
                  [&](uint8_t* p) { std::memcpy(p + at, &value, 4); });
        }
      }
      if (v.size > 4) {
        damaged(v, "tag = Split", [&](uint8_t* p) { p[0] = 2; });
        damaged(v, "tag = RandomSplit", [&](uint8_t* p) { p[0] = 3; });
        damaged(v, "tag = Bucket", [&](uint8_t* p) { p[0] = 1; });
        damaged(v, "NaN at 12", [&](uint8_t* p) { std::memcpy(p + 12, "\x00\x00\xc0\x7f", 4); });
        if (v.size >= 24) damaged(v, "NaN at 20", [&](uint8_t* p) { std::memcpy(p + 20, "\x00\x00\xc0\x7f", 4); });
        // Self loops: a split whose children point back at a root.
        damaged(v, "left = 0", [&](uint8_t* p) { std::memset(p + 4, 0, 4); });
      }
    }
    // And random single-byte damage anywhere in the value.
    for (int r = 0; r < 3; r++) {
      size_t at = rng() % v.size;
      uint8_t byte = static_cast<uint8_t>(rng());
      damaged(v, "byte " + std::to_string(at) + " = " + std::to_string(byte), [&](uint8_t* p) { p[at] = byte; });
    }
  }
  tally.print("value_bytes");
}

namespace {

// Every byte offset of the file that belongs to a stored value.
std::vector<size_t> value_offsets(const std::vector<StoredValue>& values) {
  std::vector<size_t> offsets;
  for (const StoredValue& v : values) {
    for (size_t i = 0; i < v.size; i++) offsets.push_back(v.offset + i);
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  return offsets;
}

// Random bytes at random places of pages 2.. (all of them, or only bytes of
// stored values).
void random_page_bytes(Tally& tally, bool values_only, uint64_t seed, int rounds) {
  Fixture& f = fixture();
  std::mt19937_64 rng(seed);
  const Bytes& pristine = f.pristine.bytes;
  const size_t page = f.pristine.page_size;
  const std::vector<size_t> offsets = value_offsets(f.values);
  for (int round = 0; round < rounds; round++) {
    Bytes bytes = pristine;
    std::string damage;
    int runs = 1 + static_cast<int>(rng() % 6);
    for (int r = 0; r < runs; r++) {
      size_t at = values_only ? offsets[rng() % offsets.size()] : 2 * page + rng() % (bytes.size() - 2 * page);
      size_t length = 1 + (rng() % 4 == 0 ? rng() % 64 : 0);
      size_t changed = 0;
      for (size_t i = 0; i < length && at + i < bytes.size(); i++) {
        if (values_only && !std::binary_search(offsets.begin(), offsets.end(), at + i)) break;
        bytes[at + i] = static_cast<uint8_t>(rng());
        changed++;
      }
      damage += (r ? ", " : "") + std::to_string(changed) + " random bytes at " + std::to_string(at) + " (page " +
                std::to_string(at / page) + ")";
    }
    tally.add(bytes, {&f.pristine, round % 2 == 0, values_only}, damage);
  }
}

// LMDB's meta page: a 16-byte page header, then MDB_meta: magic u32 (16),
// version u32 (20), address (24), mapsize (32), two MDB_db of 48 bytes (40:
// the free DB, whose first u32 is the page size; 88: the main DB), last_pg
// (136), txnid (144).
constexpr size_t kMetaEnd = 152;
constexpr size_t kPageSizeField = 40;

void meta_damage(Tally& tally, bool page_size_field, uint64_t seed, int rounds) {
  Fixture& f = fixture();
  std::mt19937_64 rng(seed);
  const Bytes& pristine = f.pristine.bytes;
  const size_t page = f.pristine.page_size;
  auto allowed = [&](size_t at) {
    bool in_field = at >= kPageSizeField && at < kPageSizeField + 4;
    return in_field == page_size_field;
  };
  // Random single bytes.
  for (int round = 0; round < rounds; round++) {
    size_t at = 16 + rng() % (kMetaEnd - 16);
    if (!allowed(at)) continue;
    Bytes bytes = pristine;
    size_t meta_page = rng() % 2;
    uint8_t byte = static_cast<uint8_t>(rng());
    bytes[meta_page * page + at] = byte;
    tally.add(bytes, {&f.pristine, round % 2 == 0, false},
              "meta page " + std::to_string(meta_page) + " byte " + std::to_string(at) + " = " +
                  std::to_string(byte));
  }
  // Each u32 of both meta pages set to hostile values (u64 fields are two u32s).
  const uint32_t hostile[] = {0, 1, 2, 0xFFFFFFFFu, 0x7FFFFFFFu, uint32_t(pristine.size() / page) - 1,
                              uint32_t(pristine.size() / page), uint32_t(pristine.size() / page) + 1000};
  for (size_t meta_page = 0; meta_page < 2; meta_page++) {
    for (size_t field = 16; field + 4 <= kMetaEnd; field += 4) {
      if (!allowed(field)) continue;
      for (uint32_t value : hostile) {
        Bytes bytes = pristine;
        std::memcpy(bytes.data() + meta_page * page + field, &value, 4);
        tally.add(bytes, {&f.pristine, field % 8 == 0, false},
                  "meta page " + std::to_string(meta_page) + " u32 at " + std::to_string(field) + " = " +
                      std::to_string(value));
      }
    }
  }
}

}  // namespace

TEST(page_bytes_in_values) {
  Tally tally(fixture().dir);
  random_page_bytes(tally, true, 2, 300);
  tally.print("page_bytes_in_values");
}

TEST(meta_pages) {
  Tally tally(fixture().dir);
  meta_damage(tally, false, 3, 300);
  tally.print("meta_pages (all but the page size)");
}

TEST(whole_pages_zero_filled) {
  Fixture& f = fixture();
  const size_t page = f.pristine.page_size;
  Tally tally(f.dir);
  for (size_t p = 0; p < f.pristine.bytes.size() / page; p++) {
    Bytes bytes = f.pristine.bytes;
    std::memset(bytes.data() + p * page, 0, page);
    tally.add(bytes, {&f.pristine, p % 2 == 0, false}, "page " + std::to_string(p) + " zero-filled");
  }
  tally.print("whole_pages_zero_filled");
}

TEST(whole_pages_values_random) {
  // Every byte of every value on one page replaced at random, page by page.
  Fixture& f = fixture();
  std::mt19937_64 rng(4);
  const size_t page = f.pristine.page_size;
  const std::vector<size_t> offsets = value_offsets(f.values);
  Tally tally(f.dir);
  for (size_t p = 2; p < f.pristine.bytes.size() / page; p++) {
    Bytes bytes = f.pristine.bytes;
    size_t changed = 0;
    for (size_t at : offsets) {
      if (at / page != p) continue;
      bytes[at] = static_cast<uint8_t>(rng());
      changed++;
    }
    if (!changed) continue;
    tally.add(bytes, {&f.pristine, p % 2 == 1, true},
              "page " + std::to_string(p) + ": " + std::to_string(changed) + " value bytes random");
  }
  tally.print("whole_pages_values_random");
}

TEST(tail_lost) {
  // The file keeps its length but loses its end: zeros from some offset on
  // (a sparse tail after a crash). Truly shorter files: see truncated.
  Fixture& f = fixture();
  const Bytes& pristine = f.pristine.bytes;
  const size_t page = f.pristine.page_size;
  std::vector<size_t> cuts{2 * page, 2 * page + 100, 3 * page};
  for (size_t p = 3; p < pristine.size() / page; p++) cuts.push_back(p * page + (p % 3 ? 0 : page / 2));
  cuts.push_back(pristine.size() - 1);
  Tally tally(f.dir);
  int n = 0;
  for (size_t cut : cuts) {
    Bytes bytes = pristine;
    std::memset(bytes.data() + cut, 0, bytes.size() - cut);
    tally.add(bytes, {&f.pristine, n++ % 2 == 0, false},
              "zeros from byte " + std::to_string(cut) + " of " + std::to_string(pristine.size()));
  }
  tally.print("tail_lost");
}

TEST(truncated_within_meta_pages) {
  // Files too short to hold both meta records (each read with pread(2): a
  // 16-byte page header and the 136-byte MDB_meta). Longer ones: see truncated.
  Fixture& f = fixture();
  const size_t page = f.pristine.page_size;
  Tally tally(f.dir);
  int n = 0;
  for (size_t length : {size_t(1), size_t(100), page - 1, page, page + 1, page + kMetaEnd - 1}) {
    Bytes bytes(f.pristine.bytes.begin(), f.pristine.bytes.begin() + length);
    tally.add(bytes, {&f.pristine, n++ % 2 == 0, false}, "truncated to " + std::to_string(length) + " bytes");
  }
  tally.print("truncated_within_meta_pages");
}

TEST(zero_filled) {
  Fixture& f = fixture();
  Tally tally(f.dir);
  Bytes zeros(f.pristine.bytes.size(), 0);
  tally.add(zeros, {&f.pristine, true, false}, "all bytes zero");
  tally.add(zeros, {&f.pristine, false, false}, "all bytes zero");
  // Not LMDB at all: a text file, and an empty one.
  Bytes text(5000, 'x');
  tally.add(text, {&f.pristine, true, false}, "a text file");
  tally.add(Bytes{}, {&f.pristine, true, false}, "an empty file");
  tally.print("zero_filled");
  CHECK_EQ(tally.sum().opened, 0u);
}

TEST(truncated) {
  // Shorter than the last page the meta page names: refused before LMDB
  // maps the file (it would fault reading past the end).
  Fixture& f = fixture();
  const Bytes& pristine = f.pristine.bytes;
  const size_t page = f.pristine.page_size;
  Tally tally(f.dir);
  int n = 0;
  std::vector<size_t> lengths{page + kMetaEnd, 2 * page - 1, 2 * page};
  for (size_t p = 3; p < pristine.size() / page; p += 3) lengths.push_back(p * page);
  lengths.push_back(pristine.size() - page / 2);
  lengths.push_back(pristine.size() - 1);
  for (size_t length : lengths) {
    Bytes bytes(pristine.begin(), pristine.begin() + length);
    tally.add(bytes, {&f.pristine, n++ % 2 == 0, false}, "truncated to " + std::to_string(length) + " bytes");
  }
  tally.print("truncated");
  CHECK_EQ(tally.crashed(), 0u);
  CHECK_EQ(tally.sum().opened, 0u);
  CHECK_EQ(tally.sum().errors[static_cast<int>(ErrorCode::Corrupt)], 2 * tally.cases());
}

TEST(meta_page_size) {
  Tally tally(fixture().dir);
  meta_damage(tally, true, 5, 300);
  tally.print("meta_page_size");
  CHECK_EQ(tally.crashed(), 0u);
}

// Damage to LMDB's own structures, which stock LMDB 0.9 does not check (it
// read out of bounds itself, before arroy-ts saw anything): refused by the
// patched LMDB and the fault guard. Each crash is shown with its sanitizer report.
TEST(lmdb_page_damage) {
  Fixture& f = fixture();
  const Bytes& pristine = f.pristine.bytes;
  const size_t page = f.pristine.page_size;
  {
    // Random bytes anywhere in pages 2.. (page headers, node offsets, node headers).
    Tally tally(f.dir);
    random_page_bytes(tally, false, 6, 300);
    tally.print("lmdb: page_bytes anywhere");
    CHECK_EQ(tally.crashed(), 0u);
  }
  {
    // Whole pages of random bytes.
    Tally tally(f.dir);
    std::mt19937_64 rng(7);
    for (size_t p = 2; p < pristine.size() / page; p++) {
      Bytes bytes = pristine;
      for (size_t i = 0; i < page; i++) bytes[p * page + i] = static_cast<uint8_t>(rng());
      tally.add(bytes, {&f.pristine, p % 2 == 1, false}, "page " + std::to_string(p) + " random-filled");
    }
    tally.print("lmdb: whole pages random");
    CHECK_EQ(tally.crashed(), 0u);
  }
}
