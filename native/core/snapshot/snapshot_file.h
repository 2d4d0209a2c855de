// Snapshots: a consistent copy of an arroy-ts file, taken while writers keep
// committing, that carries a checksum of its bytes so that whoever receives
// it (a Lambda layer, a download to /tmp) can prove it arrived whole before
// LMDB reads a page of it.
//
// The copy is LMDB's own (mdb_env_copyfd2: one read snapshot, optionally
// compacted, which leaves out free pages and renumbers the rest), followed
// by the trailer format.h describes. LMDB reads only the pages its meta page
// names, so the trailer is invisible to it and to mdb_stat.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "errors.h"
#include "format.h"

namespace arroy {

class Environment;

struct SnapshotTrailer {
  uint32_t content_crc = 0;
  uint64_t content_length = 0;
};

std::array<uint8_t, kSnapshotTrailerSize> encode_snapshot_trailer(const SnapshotTrailer& trailer);
// Decodes the trailer at the end of a file of `file_size` bytes. Throws
// Corrupt when it is damaged or does not describe the bytes before it.
SnapshotTrailer decode_snapshot_trailer(const uint8_t* bytes, uint64_t file_size);

// Whether a file of this length has room for a trailer where one belongs.
// LMDB files are whole pages long, so one that is not carries a trailer or
// was cut short.
inline bool has_trailer_length(uint64_t file_size) {
  return file_size % kSnapshotAlignment == kSnapshotTrailerSize % kSnapshotAlignment &&
         file_size >= kSnapshotTrailerSize;
}

struct SnapshotReport {
  uint64_t bytes = 0;         // the snapshot, trailer included
  uint64_t source_bytes = 0;  // the live file when the copy began
  uint32_t crc = 0;
};

// Writes a snapshot of env's file to `destination`: copied under a temporary
// name in the same directory, checksummed, synced and renamed into place, so
// a reader of `destination` sees the old file or the whole new one. `cancel`,
// polled between the copy and the checksum pass and during it, makes it
// throw Aborted and leave nothing behind. Runs on any thread.
SnapshotReport write_snapshot(const Environment& env, const std::string& destination, bool compact,
                              const std::atomic<bool>* cancel);

// The CRC32C of the first `length` bytes of the open file `fd` (named
// `path` in errors), read front to back. A file shorter than `length`
// throws `short_code`. `cancel`, when given, is polled between chunks and
// throws Aborted.
uint32_t checksum_file(int fd, uint64_t length, const std::string& path, ErrorCode short_code,
                       const std::atomic<bool>* cancel);

// Which file a path named when it was verified (st_dev, st_ino).
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
};

// The same, for a file holding only index `name` of env's file (see
// snapshot/index_copy.h): what index.snapshot() writes.
SnapshotReport write_index_snapshot(Environment& env, const std::string& name, const std::string& destination,
                                    const std::atomic<bool>* cancel);

// Reads the file at path once, front to back, and throws unless it is a
// snapshot whose bytes match its checksum: NoChecksum when it has no trailer,
// Corrupt when the trailer or any byte it covers is damaged, NotAnIndex for
// a directory or other non-file, Storage when it cannot be read. Returns the
// file it verified, so that the caller can tell whether the file it then
// opens is the same one.
FileIdentity verify_snapshot(const std::string& path);

}  // namespace arroy
