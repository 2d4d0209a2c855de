// Snapshots (snapshot/): the CRC32C code against known answers and against
// its portable version, the trailer's codec, and a snapshot written from a
// live index, verified, damaged byte by byte and opened.
#include <dirent.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "index.h"
#include "index_fixtures.h"
#include "checksum/crc32c.h"
#include "snapshot/snapshot_file.h"
#include "storage/environment.h"

using namespace arroy_test;

namespace {


std::vector<uint8_t> random_bytes(std::mt19937_64& rng, size_t n) {
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// A small built index and its snapshot, in `dir`.
std::string write_fixture_snapshot(const TempDir& dir, const Vectors& items) {
  const std::string live = dir.file("live.arroy");
  auto index = Index::open(live, create_options(8, Metric::Euclidean));
  add_all(*index, items);
  build(*index);
  auto env = arroy::Environment::open(live, {false, 0});
  const std::string snapshot = dir.file("snapshot.arroy");
  arroy::SnapshotReport report = arroy::write_snapshot(*env, snapshot, true, nullptr);
  CHECK_EQ(report.bytes, read_file(snapshot).size());
  CHECK_EQ(report.bytes % arroy::kSnapshotAlignment, arroy::kSnapshotTrailerSize);
  return snapshot;
}

size_t entries_in(const std::string& dir) {
  size_t n = 0;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return 0;
  while (dirent* e = ::readdir(d)) {
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") n++;
  }
  ::closedir(d);
  return n;
}

}  // namespace

TEST(trailer_round_trips_and_rejects_every_flipped_byte) {
  const uint64_t length = 4096 * 7;
  auto bytes = arroy::encode_snapshot_trailer({0x12345678u, length});
  arroy::SnapshotTrailer back = arroy::decode_snapshot_trailer(bytes.data(), length + bytes.size());
  CHECK_EQ(back.content_crc, 0x12345678u);
  CHECK_EQ(back.content_length, length);
  // A trailer describing other bytes than the file holds.
  CHECK_THROWS_CODE(arroy::decode_snapshot_trailer(bytes.data(), length + bytes.size() + 512), ErrorCode::Corrupt);
  for (size_t i = 0; i < bytes.size(); i++) {
    CONTEXT("byte " << i);
    auto damaged = bytes;
    damaged[i] ^= 0x01;
    CHECK_THROWS_CODE(arroy::decode_snapshot_trailer(damaged.data(), length + bytes.size()), ErrorCode::Corrupt);
  }
  CHECK(arroy::has_trailer_length(length + arroy::kSnapshotTrailerSize));
  CHECK(!arroy::has_trailer_length(length));
  CHECK(!arroy::has_trailer_length(length + arroy::kSnapshotTrailerSize + 1));
}

TEST(snapshot_verifies_opens_and_rejects_damage) {
  TempDir dir;
  std::mt19937_64 rng(7);
  Vectors items = random_items(rng, 2000, 8);
  const std::string snapshot = write_fixture_snapshot(dir, items);
  const arroy::FileIdentity identity = arroy::verify_snapshot(snapshot);
  {
    // The verified open checks that the file it opened is the one it verified.
    arroy::EnvironmentOptions options{true, 0, true};
    auto env = arroy::Environment::open(snapshot, options);
    CHECK(env->is_file(identity.device, identity.inode));
    CHECK(!env->is_file(identity.device, identity.inode + 1));
  }
  {
    arroy::OpenOptions options = existing("vectors", true);
    options.verify = true;
    auto copy = Index::open(snapshot, options);
    CHECK_EQ(copy->size(), 2000u);
    check_gets(*copy, items, {});
  }
  const std::vector<uint8_t> good = read_file(snapshot);
  const size_t content = good.size() - arroy::kSnapshotTrailerSize;
  const std::string damaged = dir.file("damaged.arroy");
  for (size_t at : {size_t(0), size_t(4096 + 20), content / 2, content - 1, content, content + 12, good.size() - 1}) {
    CONTEXT("flipped byte " << at << " of " << good.size());
    std::vector<uint8_t> bytes = good;
    bytes[at] ^= 0x40;
    write_file(damaged, bytes);
    CHECK_THROWS_CODE(arroy::verify_snapshot(damaged), ErrorCode::Corrupt);
  }
  std::vector<uint8_t> cut(good.begin(), good.end() - 1);
  write_file(damaged, cut);
  CHECK_THROWS_CODE(arroy::verify_snapshot(damaged), ErrorCode::Corrupt);
  std::vector<uint8_t> no_trailer(good.begin(), good.begin() + static_cast<long>(content));
  write_file(damaged, no_trailer);
  CHECK_THROWS_CODE(arroy::verify_snapshot(damaged), ErrorCode::NoChecksum);
  CHECK_THROWS_CODE(arroy::verify_snapshot(dir.file("missing.arroy")), ErrorCode::NotAnIndex);
  CHECK_THROWS_CODE(arroy::verify_snapshot(dir.path()), ErrorCode::NotAnIndex);
  // A writable open cannot ask for verification.
  arroy::OpenOptions writable = existing("vectors", false);
  writable.verify = true;
  CHECK_THROWS_CODE(Index::open(snapshot, writable), ErrorCode::InvalidArgument);
}

TEST(snapshot_cancelled_or_onto_itself_leaves_nothing) {
  TempDir dir;
  std::mt19937_64 rng(9);
  const std::string live = dir.file("live.arroy");
  auto index = Index::open(live, create_options(8, Metric::Euclidean));
  add_all(*index, random_items(rng, 100, 8));
  build(*index);
  auto env = arroy::Environment::open(live, {false, 0});
  std::atomic<bool> cancel{true};
  CHECK_THROWS_CODE(arroy::write_snapshot(*env, dir.file("never.arroy"), true, &cancel), ErrorCode::Aborted);
  CHECK_THROWS_CODE(arroy::write_snapshot(*env, live, true, nullptr), ErrorCode::InvalidArgument);
  CHECK_EQ(index->size(), 100u);
  // Only the live file and its lock file remain.
  CHECK_EQ(entries_in(dir.path()), size_t(2));
}

TEST(index_snapshot_holds_that_index_alone) {
  TempDir dir;
  std::mt19937_64 rng(13);
  const std::string live = dir.file("live.arroy");
  Vectors first = random_items(rng, 1500, 8);
  Vectors second = random_items(rng, 700, 5);
  {
    auto a = Index::open(live, create_options(8, Metric::Euclidean, "first"));
    auto b = Index::open(live, create_options(5, Metric::Cosine, "second"));
    add_all(*a, first);
    build(*a);
    add_all(*b, second);
    build(*b);
  }
  auto env = arroy::Environment::open(live, {false, 0});
  const std::string snapshot = dir.file("second.arroy");
  arroy::write_index_snapshot(*env, "second", snapshot, nullptr);
  arroy::verify_snapshot(snapshot);
  arroy::OpenOptions options = existing("second", true);
  options.verify = true;
  {
    auto copy = Index::open(snapshot, options);
    CHECK_EQ(copy->size(), 700u);
    check_gets(*copy, second, {});
    copy->inspect(true);
  }
  CHECK_THROWS_CODE(Index::open(snapshot, existing("first", true)), ErrorCode::NotAnIndex);
  CHECK_THROWS_CODE(arroy::write_index_snapshot(*env, "third", dir.file("third.arroy"), nullptr), ErrorCode::NotAnIndex);
  std::atomic<bool> cancel{true};
  CHECK_THROWS_CODE(arroy::write_index_snapshot(*env, "first", dir.file("never.arroy"), &cancel), ErrorCode::Aborted);
}
