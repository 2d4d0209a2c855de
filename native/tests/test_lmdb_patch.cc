// The checks native/patches/lmdb-robust.patch adds to LMDB, each driven
// through LMDB's own API on a small file damaged at one exact place, and the
// fault guard (storage/fault_guard.h) on a mapped file that shrinks. Under
// ASan/UBSan (npm run test:native) a check that lets LMDB go on past the
// damage shows up as a sanitizer report or a signal, not just a wrong code.
#include <fcntl.h>
#include <lmdb.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fixtures.h"
#include "harness.h"
#include "storage/fault_guard.h"

using namespace arroy_test;
using Bytes = std::vector<uint8_t>;

namespace {

constexpr size_t kPage = 4096;
// LMDB 0.9's page header: pgno u64 | pad u16 | flags u16 | lower u16 | upper u16
// (or pages u32 for overflow pages), then the u16 node offsets.
constexpr size_t kFlags = 10, kLower = 12, kUpper = 14, kPages = 12;
constexpr uint16_t kBranch = 0x01, kLeaf = 0x02, kOverflow = 0x04, kDirty = 0x10;

uint16_t u16(const Bytes& b, size_t at) { return uint16_t(b[at] | b[at + 1] << 8); }
void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = uint8_t(v);
  b[at + 1] = uint8_t(v >> 8);
}
uint64_t u64(const Bytes& b, size_t at) {
  uint64_t v;
  std::memcpy(&v, &b[at], 8);
  return v;
}

// An environment as the core opens one: its map registered with the fault
// guard, since LMDB reads a node where a (damaged) offset says before any
// check can see it; a node past the end of the file then reads zeros.
struct Env {
  MDB_env* env = nullptr;
  MDB_dbi dbi = 0;
  std::atomic<bool> damaged{false};
  explicit Env(const std::string& path, unsigned flags = 0) {
    mdb_env_create(&env);
    mdb_env_set_mapsize(env, 64 << 20);
    int rc = mdb_env_open(env, path.c_str(), MDB_NOSUBDIR | MDB_NOLOCK | flags, 0644);
    if (rc != MDB_SUCCESS) std::abort();
    MDB_envinfo info;
    mdb_env_info(env, &info);
    arroy::guard_map(this, reinterpret_cast<uintptr_t>(info.me_mapaddr), info.me_mapsize, &damaged);
    MDB_txn* txn;
    mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    mdb_dbi_open(txn, nullptr, MDB_INTEGERKEY, &dbi);
    mdb_txn_commit(txn);
  }
  ~Env() {
    arroy::unguard_map(this);
    mdb_env_close(env);
  }
  int get(uint32_t key, MDB_val* value) {
    MDB_txn* txn;
    mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    MDB_val k{sizeof(key), &key};
    int rc = mdb_get(txn, dbi, &k, value);
    mdb_txn_abort(txn);
    return rc;
  }
  // Every key in order; the first error, or MDB_NOTFOUND at the end.
  int walk() {
    MDB_txn* txn;
    mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    MDB_cursor* cursor;
    mdb_cursor_open(txn, dbi, &cursor);
    MDB_val k, v;
    int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
    while (rc == MDB_SUCCESS) rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    mdb_cursor_close(cursor);
    mdb_txn_abort(txn);
    return rc;
  }
  // Overwrites every key with a value of `size` bytes, then deletes the odd ones.
  int rewrite(uint32_t keys, size_t size) {
    MDB_txn* txn;
    int rc = mdb_txn_begin(env, nullptr, 0, &txn);
    std::vector<uint8_t> bytes(size, 7);
    for (uint32_t key = 0; rc == MDB_SUCCESS && key < keys; key++) {
      MDB_val k{sizeof(key), &key}, v{bytes.size(), bytes.data()};
      rc = mdb_put(txn, dbi, &k, &v, 0);
    }
    for (uint32_t key = 1; rc == MDB_SUCCESS && key < keys; key += 2) {
      MDB_val k{sizeof(key), &key};
      rc = mdb_del(txn, dbi, &k, nullptr);
    }
    if (rc == MDB_SUCCESS) return mdb_txn_commit(txn);
    mdb_txn_abort(txn);
    return rc;
  }
};

// A file of `keys` integer keys (a few branch pages) whose values are
// `value_bytes` long (over half a page: each on its own overflow page), with
// a freelist: written three times, so the next write transaction may reuse
// the pages the second one freed.
Bytes make_file(const std::string& path, uint32_t keys, size_t value_bytes) {
  {
    MDB_env* env;
    mdb_env_create(&env);
    mdb_env_set_mapsize(env, 64 << 20);
    mdb_env_open(env, path.c_str(), MDB_NOSUBDIR | MDB_NOLOCK, 0644);
    for (int round = 0; round < 3; round++) {
      MDB_txn* txn;
      MDB_dbi dbi;
      mdb_txn_begin(env, nullptr, 0, &txn);
      mdb_dbi_open(txn, nullptr, MDB_INTEGERKEY, &dbi);
      std::vector<uint8_t> bytes(value_bytes, uint8_t(round + 1));
      for (uint32_t key = 0; key < keys; key++) {
        MDB_val k{sizeof(key), &key}, v{bytes.size(), bytes.data()};
        mdb_put(txn, dbi, &k, &v, 0);
      }
      mdb_txn_commit(txn);
    }
    mdb_env_close(env);
  }
  return read_file(path);
}

// Page numbers of the live pages of a kind (pgno field matching, flag set).
std::vector<size_t> pages_of(const Bytes& b, uint16_t kind) {
  std::vector<size_t> out;
  for (size_t p = 2; p < b.size() / kPage; p++) {
    if (u64(b, p * kPage) == p && (u16(b, p * kPage + kFlags) & 0x07) == kind) out.push_back(p);
  }
  return out;
}

struct Damaged {
  TempDir dir{"arroy-lmdb-patch"};
  std::string path = dir.file("data.mdb");
  Bytes bytes;
  Damaged(uint32_t keys, size_t value_bytes) { bytes = make_file(path, keys, value_bytes); }
  void save() { write_file(path, bytes); }
};

}  // namespace

// Stock LMDB already refuses these two (MDB_PAGE_NOTFOUND, and a non-leaf
// page where the search ends); kept so that the patch does not lose them.
TEST(branch_pointer_past_the_last_page_is_corrupted) {
  Damaged d(2000, 16);
  std::vector<size_t> branches = pages_of(d.bytes, kBranch);
  if (!CHECK(!branches.empty())) return;
  // Every child pointer of every branch page goes past the file.
  for (size_t p : branches) {
    const size_t base = p * kPage;
    const unsigned n = (u16(d.bytes, base + kLower) - 16) / 2;
    for (unsigned i = 0; i < n; i++) {
      const size_t node = base + u16(d.bytes, base + 16 + 2 * i);
      put16(d.bytes, node, 0xfff0);  // low 16 bits of the child's page number
      put16(d.bytes, node + 2, 0x00ff);
    }
  }
  d.save();
  Env env(d.path);
  MDB_val v;
  CHECK_EQ(env.get(1000, &v), MDB_PAGE_NOTFOUND);
  CHECK(env.walk() == MDB_PAGE_NOTFOUND || env.walk() == MDB_CORRUPTED);
}

TEST(child_of_the_wrong_kind_is_corrupted) {
  Damaged d(2000, 16);
  std::vector<size_t> leaves = pages_of(d.bytes, kLeaf);
  if (!CHECK(leaves.size() > 4)) return;
  for (size_t p : leaves) put16(d.bytes, p * kPage + kFlags, kOverflow);
  d.save();
  Env env(d.path);
  MDB_val v;
  CHECK_EQ(env.get(5, &v), MDB_CORRUPTED);
  CHECK_EQ(env.walk(), MDB_CORRUPTED);
}

TEST(page_number_mismatch_is_corrupted) {
  Damaged d(2000, 16);
  for (size_t p : pages_of(d.bytes, kLeaf)) d.bytes[p * kPage] ^= 0x40;
  d.save();
  Env env(d.path);
  MDB_val v;
  CHECK_EQ(env.get(5, &v), MDB_CORRUPTED);
}

TEST(free_space_bounds_outside_the_page_are_corrupted) {
  const std::vector<std::pair<uint16_t, uint16_t>> bounds = {
      {2, 100}, {4000, 100}, {17, 4000}, {16, 5000}, {0xfffe, 0xffff}};
  for (auto [lower, upper] : bounds) {
    CONTEXT("lower " << lower << " upper " << upper);
    Damaged d(2000, 16);
    for (size_t p : pages_of(d.bytes, kLeaf)) {
      put16(d.bytes, p * kPage + kLower, lower);
      put16(d.bytes, p * kPage + kUpper, upper);
    }
    d.save();
    Env env(d.path);
    MDB_val v;
    CHECK_EQ(env.get(7, &v), MDB_CORRUPTED);
    CHECK_EQ(env.walk(), MDB_CORRUPTED);
    CHECK_EQ(env.rewrite(50, 16), MDB_CORRUPTED);
  }
}

TEST(branch_page_without_keys_is_corrupted) {
  Damaged d(2000, 16);
  for (size_t p : pages_of(d.bytes, kBranch)) put16(d.bytes, p * kPage + kLower, 16);
  d.save();
  Env env(d.path);
  MDB_val v;
  CHECK_EQ(env.get(3, &v), MDB_CORRUPTED);
}

// The case that ate memory without bound: the top byte of an overflow
// page's count, then a write that frees the old value.
TEST(overflow_count_past_the_file_is_corrupted) {
  Damaged d(40, 3000);
  std::vector<size_t> overflow = pages_of(d.bytes, kOverflow);
  if (!CHECK(overflow.size() >= 40)) return;
  for (size_t p : overflow) d.bytes[p * kPage + kPages + 3] ^= 0x80;
  d.save();
  Env env(d.path);
  MDB_val v;
  CHECK_EQ(env.get(3, &v), MDB_CORRUPTED);
  CHECK_EQ(env.rewrite(40, 3000), MDB_CORRUPTED);  // overwrite in place
  CHECK_EQ(env.rewrite(40, 16), MDB_CORRUPTED);    // free the runs
}

TEST(overflow_run_shorter_than_its_value_is_corrupted) {
  Damaged d(40, 9000);  // 3 pages each
  for (size_t p : pages_of(d.bytes, kOverflow)) {
    d.bytes[p * kPage + kPages] = 1;
    d.bytes[p * kPage + kPages + 1] = d.bytes[p * kPage + kPages + 2] = d.bytes[p * kPage + kPages + 3] = 0;
  }
  d.save();
  Env env(d.path);
  MDB_val v;
  CHECK_EQ(env.get(3, &v), MDB_CORRUPTED);
}

// A page claiming P_DIRTY would be overwritten in place, inside the
// read-only map (SIGSEGV).
TEST(page_flagged_dirty_on_disk_is_corrupted) {
  Damaged d(40, 3000);
  for (size_t p : pages_of(d.bytes, kOverflow)) d.bytes[p * kPage + kFlags] |= kDirty;
  d.save();
  Env env(d.path);
  CHECK_EQ(env.rewrite(40, 3000), MDB_CORRUPTED);
}

// Node offsets and sizes are checked before a mapped page is copied for a
// write, where they drive memmove()s inside the copy.
TEST(node_outside_the_page_is_refused_before_a_write) {
  const std::vector<uint16_t> offsets = {4094, 10, 0xfff0};
  for (uint16_t offset : offsets) {
    CONTEXT("offset " << offset);
    Damaged d(2000, 16);
    for (size_t p : pages_of(d.bytes, kLeaf)) put16(d.bytes, p * kPage + 16, offset);
    d.save();
    Env env(d.path);
    CHECK_EQ(env.rewrite(2000, 16), MDB_CORRUPTED);
  }
  Damaged d(2000, 16);
  for (size_t p : pages_of(d.bytes, kLeaf)) {
    const size_t node = p * kPage + u16(d.bytes, p * kPage + 16);
    put16(d.bytes, node + 6, 0xfff0);  // key size
  }
  d.save();
  Env env(d.path);
  CHECK_EQ(env.rewrite(2000, 16), MDB_CORRUPTED);
}

TEST(freelist_count_past_its_record_is_corrupted) {
  Damaged d(300, 3000);  // the second round freed the first round's pages
  // The freelist database's root is in the meta page: find the leaf whose
  // first node's data starts with a plausible count instead, by trying each.
  int refused = 0;
  for (size_t p : pages_of(d.bytes, kLeaf)) {
    Bytes copy = d.bytes;
    const size_t node = p * kPage + u16(copy, p * kPage + 16);
    const uint16_t key_size = u16(copy, node + 6);
    if (key_size != 8) continue;  // freelist keys are txnids (8 bytes)
    size_t data = node + 8 + key_size;
    if (u16(copy, node + 4) & 0x01) data = u64(copy, data) * kPage + 16;  // F_BIGDATA: on an overflow page
    if (data + 8 > copy.size()) continue;
    const uint64_t count = u64(copy, data);
    if (count == 0 || count > 100000) continue;
    copy[data + 6] = 0x7f;  // a count of about 2^55
    write_file(d.path, copy);
    Env env(d.path);
    refused += env.rewrite(300, 3000) == MDB_CORRUPTED;
  }
  CHECK(refused >= 1);
}

TEST(env_info_reports_the_map_address) {
  Damaged d(10, 16);
  Env env(d.path);
  MDB_envinfo info;
  CHECK_EQ(mdb_env_info(env.env, &info), MDB_SUCCESS);
  CHECK(info.me_mapaddr != nullptr);
}

// A file cut short under its map: the read of the lost page gets zeros, the
// damage flag is set, and the thread's fault count moves.
TEST(fault_guard_survives_a_truncated_map) {
  TempDir dir("arroy-fault-guard");
  const std::string path = dir.file("mapped");
  write_file(path, Bytes(4 * kPage, 0xab));
  int fd = ::open(path.c_str(), O_RDONLY);
  if (!CHECK(fd >= 0)) return;
  void* map = mmap(nullptr, 4 * kPage, PROT_READ, MAP_SHARED, fd, 0);
  if (!CHECK(map != MAP_FAILED)) return;
  std::atomic<bool> damaged{false};
  arroy::guard_map(&damaged, reinterpret_cast<uintptr_t>(map), 4 * kPage, &damaged);
  const volatile uint8_t* bytes = static_cast<const uint8_t*>(map);
  CHECK_EQ(int(bytes[3 * kPage]), 0xab);
  const int writer = ::open(path.c_str(), O_RDWR);
  CHECK_EQ(::ftruncate(writer, kPage), 0);
  ::close(writer);
  const uint64_t before = arroy::map_faults_on_this_thread();
  CHECK_EQ(int(bytes[3 * kPage + 5]), 0);  // SIGBUS without the guard
  CHECK_EQ(int(bytes[0]), 0xab);           // what remains of the file still reads
  CHECK(damaged.load());
  CHECK_EQ(arroy::map_faults_on_this_thread(), before + 1);
  arroy::unguard_map(&damaged);
  munmap(map, 4 * kPage);
  ::close(fd);
}
