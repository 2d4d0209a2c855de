// The snapshot trailer's codec, the checksum pass over a file, and the verified
// open's check.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "errors.h"
#include "checksum/crc32c.h"
#include "snapshot/file_io.h"
#include "snapshot/snapshot_file.h"

namespace arroy {

namespace {

// Big enough that syscalls cost nothing next to the checksum, small enough
// to stay in cache while it runs.
constexpr size_t kChecksumChunk = size_t(1) << 20;

template <class T>
T load(const uint8_t* bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes + offset, sizeof(T));
  return value;
}

template <class T>
void store(uint8_t* bytes, size_t offset, T value) {
  std::memcpy(bytes + offset, &value, sizeof(T));
}

}  // namespace

uint32_t checksum_file(int fd, uint64_t length, const std::string& path, ErrorCode short_code,
                       const std::atomic<bool>* cancel) {
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // advice only: its failure changes nothing
  std::vector<uint8_t> buffer(kChecksumChunk);
  uint32_t crc = 0;
  for (uint64_t offset = 0; offset < length;) {
    if (cancel && cancel->load(std::memory_order_relaxed)) fail(ErrorCode::Aborted, "the snapshot was cancelled");
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChecksumChunk, length - offset));
    if (read_at(fd, buffer.data(), want, offset, path) != want) fail(short_code, path + " shrank while it was read");
    crc = crc32c(buffer.data(), want, crc);
    offset += want;
  }
  return crc;
}

std::array<uint8_t, kSnapshotTrailerSize> encode_snapshot_trailer(const SnapshotTrailer& trailer) {
  std::array<uint8_t, kSnapshotTrailerSize> out{};
  std::memcpy(out.data(), kSnapshotMagic, sizeof(kSnapshotMagic));
  store<uint32_t>(out.data(), sizeof(kSnapshotMagic), kSnapshotVersion);
  store<uint32_t>(out.data(), kSnapshotContentCrcOffset, trailer.content_crc);
  store<uint64_t>(out.data(), kSnapshotLengthOffset, trailer.content_length);
  store<uint32_t>(out.data(), kSnapshotTrailerCrcOffset, crc32c(out.data(), kSnapshotTrailerCrcOffset));
  return out;
}

SnapshotTrailer decode_snapshot_trailer(const uint8_t* bytes, uint64_t file_size) {
  // The trailer's own checksum first: any flipped byte in it, the magic
  // included, is damage, not a file of another kind.
  if (crc32c(bytes, kSnapshotTrailerCrcOffset) != load<uint32_t>(bytes, kSnapshotTrailerCrcOffset)) {
    corrupt("the snapshot trailer fails its checksum");
  }
  if (std::memcmp(bytes, kSnapshotMagic, sizeof(kSnapshotMagic)) != 0) corrupt("the snapshot trailer has no magic");
  uint32_t version = load<uint32_t>(bytes, sizeof(kSnapshotMagic));
  if (version != kSnapshotVersion) {
    fail(ErrorCode::FormatVersion, "snapshot trailer version " + std::to_string(version) + ", expected " +
                                         std::to_string(kSnapshotVersion));
  }
  SnapshotTrailer trailer;
  trailer.content_crc = load<uint32_t>(bytes, kSnapshotContentCrcOffset);
  trailer.content_length = load<uint64_t>(bytes, kSnapshotLengthOffset);
  if (trailer.content_length + kSnapshotTrailerSize != file_size) {
    corrupt("the snapshot trailer describes " + std::to_string(trailer.content_length) + " bytes, the file holds " +
            std::to_string(file_size - kSnapshotTrailerSize));
  }
  return trailer;
}

FileIdentity verify_snapshot(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) fail(ErrorCode::NotAnIndex, path + " does not exist");
    throw_errno(errno, "cannot open " + path);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) throw_errno(errno, "cannot stat " + path);
  if (!S_ISREG(st.st_mode)) fail(ErrorCode::NotAnIndex, path + " is not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (!has_trailer_length(size)) {
    if (size % kSnapshotAlignment == 0) {
      fail(ErrorCode::NoChecksum, path + " carries no snapshot checksum: it was not written by snapshot(), or was "
                                         "cut short");
    }
    corrupt(path + " is " + std::to_string(size) + " bytes long, which no snapshot is: it was cut short or extended");
  }
  uint8_t trailer_bytes[kSnapshotTrailerSize];
  if (read_at(fd.get(), trailer_bytes, kSnapshotTrailerSize, size - kSnapshotTrailerSize, path) !=
      kSnapshotTrailerSize) {
    corrupt(path + " shrank while it was verified");
  }
  const SnapshotTrailer trailer = decode_snapshot_trailer(trailer_bytes, size);

  const uint32_t crc = checksum_file(fd.get(), trailer.content_length, path, ErrorCode::Corrupt, nullptr);
  if (crc != trailer.content_crc) {
    corrupt(path + " fails its snapshot checksum: its bytes changed after the snapshot was written");
  }
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

}  // namespace arroy
