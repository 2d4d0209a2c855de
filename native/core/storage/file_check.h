// Checks on an LMDB data file made before LMDB maps it.
//
// LMDB 0.9 trusts its two meta pages: it divides by their page size, maps
// and reads the pages they name, and faults (SIGBUS, SIGSEGV, SIGFPE) when
// those lie past the end of the file. check_lmdb_file() reads the meta
// pages with pread(2) and refuses a file LMDB could not open safely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace arroy {

// The LMDB 0.9 on-disk layout of a meta page (liblmdb's MDB_page header and
// MDB_meta/MDB_db structs, data version 1, on a 64-bit little-endian host:
// pgno_t and size_t are 8 bytes). Every offset is from the start of the page.
namespace lmdb_layout {
constexpr uint32_t kMagic = 0xBEEFC0DEu;  // MDB_MAGIC
constexpr uint32_t kDataVersion = 1;      // MDB_DATA_VERSION
// Page header (MDB_page): pgno u64 | pad u16 | flags u16 | lower u16 | upper u16.
constexpr size_t kPageFlags = 10;
constexpr uint16_t kPageFlagMeta = 0x08;  // P_META
constexpr size_t kPageHeaderSize = 16;    // PAGEHDRSZ
// MDB_meta, right after the page header.
constexpr size_t kMetaMagic = 16;         // mm_magic u32
constexpr size_t kMetaVersion = 20;       // mm_version u32
// mm_address (24) and mm_mapsize (32) are not used by arroy-ts.
// mm_dbs[0], the free-page DB (MDB_db of 48 bytes). LMDB keeps the page
// size in its md_pad field and the environment flags in its md_flags.
constexpr size_t kMetaPageSize = 40;      // mm_dbs[0].md_pad u32 (mm_psize)
constexpr size_t kMetaEnvFlags = 44;      // mm_dbs[0].md_flags u16 (mm_flags)
constexpr size_t kMetaFreeRoot = 80;      // mm_dbs[0].md_root u64
// mm_dbs[1], the main DB (the DB of named databases).
constexpr size_t kMetaMainFlags = 92;     // mm_dbs[1].md_flags u16
constexpr size_t kMetaMainRoot = 128;     // mm_dbs[1].md_root u64
constexpr size_t kMetaLastPage = 136;     // mm_last_pg u64
constexpr size_t kMetaTxnId = 144;        // mm_txnid u64
constexpr size_t kMetaEnd = 152;          // bytes LMDB reads of each meta page
constexpr uint64_t kInvalidPage = ~uint64_t(0);  // P_INVALID: the root of an empty DB
// mm_flags shares its u16 with the free DB's own flags: MDB_INTEGERKEY (0x08,
// the free DB's key kind), plus the persisted environment flags MDB_FIXEDMAP
// (0x01) and MDB_NOSUBDIR (0x4000).
constexpr uint16_t kKnownEnvFlags = 0x0001 | 0x0008 | 0x4000;
// Flags of the main DB: MDB_REVERSEKEY .. MDB_REVERSEDUP, plus MDB_INTEGERKEY.
constexpr uint16_t kKnownDbFlags = 0x7E;
// Page sizes accepted: powers of two in this range. LMDB 0.9 writes the OS
// page size, capped at MAX_PAGESIZE (32 KiB in stock builds).
constexpr uint32_t kMinPageSize = 512;
constexpr uint32_t kMaxPageSize = 0x10000;
// How many pages a sound file may lack at its end: pages a commit allocated
// and freed again ("loose" pages) are never written, and may be the highest.
// A file short by more than this was truncated.
constexpr uint64_t kUnwrittenTailPages = 16;
}  // namespace lmdb_layout

// What check_lmdb_file() found.
struct LmdbFileCheck {
  bool empty = false;  // a new, zero-length file (LMDB initialises it)
};

// Validates the meta pages of the file at path. Throws NotAnIndex when the
// file does not start with an LMDB meta page (or has another LMDB data
// version), Corrupt when it is an LMDB file whose meta pages are damaged or
// name pages past the end of the file, Storage when it cannot be read.
LmdbFileCheck check_lmdb_file(const std::string& path);

}  // namespace arroy
