// The arroy-ts file format: the single source of truth for every on-disk
// constant. docs/FORMAT.md describes the same layout for people; when the two
// disagree, this header wins and the document is the bug.
//
// An index file is a stock LMDB 0.9 environment opened with MDB_NOSUBDIR
// (one data file plus "<file>-lock"), so `mdb_stat -n -a <file>` reads it.
// All arroy-ts records live in one named LMDB database, kDatabaseName.
//
// Byte order: every multi-byte integer and float, in keys and in values, is
// little-endian. LMDB compares keys with memcmp by default, which would sort
// little-endian ids in the wrong order, so the database is created with
// MDB_REVERSEKEY (compare from the last byte towards the first) and each key
// stores its most significant field last. The on-disk order of records is then
// (index, kind, id) numerically, and a range of ids is a range of keys.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arroy {

// ---------------------------------------------------------------- file level

// Bumped whenever any encoding below changes meaning. Files carry it in the
// file header and in every index's metadata; a mismatch refuses to open.
constexpr uint32_t kFormatVersion = 1;

// The named LMDB database that holds every arroy-ts record of a file. A file
// without it is an LMDB environment written by some other program.
constexpr const char* kDatabaseName = "arroy-ts";

// First 8 bytes of the file header value.
constexpr char kFileMagic[8] = {'a', 'r', 'r', 'o', 'y', '-', 't', 's'};

// ---------------------------------------------------------------- keys

// Key layout (7 bytes, compared from the last byte backwards):
//   [0..3] id     u32 LE   item id, tree-node id, or record number
//   [4]    kind   u8       one of RecordKind
//   [5..6] index  u16 LE   which named index of the file; kFileIndex for file-level records
constexpr size_t kKeySize = 7;

using IndexId = uint16_t;
// Index ids of named indexes are 0..kMaxIndexId; kFileIndex is reserved for
// file-level records (header, catalog), which therefore sort after every index.
constexpr IndexId kFileIndex = 0xFFFF;
constexpr IndexId kMaxIndexId = 0xFFFE;

enum class RecordKind : uint8_t {
  Meta = 0,     // per index: id kMetaIndexRecord. File level: kMetaFileHeader, kMetaCatalog
  Pending = 1,  // reserved: durable pending changes (incremental builds)
  Node = 2,     // a tree node (bucket or split), id = node id
  Item = 3,     // a stored vector, id = the user's item id
};

constexpr uint32_t kMetaIndexRecord = 0;  // under (index, Meta)
constexpr uint32_t kMetaFileHeader = 0;   // under (kFileIndex, Meta)
constexpr uint32_t kMetaCatalog = 1;      // under (kFileIndex, Meta)

// ---------------------------------------------------------------- values

// File header, at (kFileIndex, Meta, kMetaFileHeader):
//   magic[8] | format_version u32
constexpr size_t kFileHeaderSize = 12;

// Catalog, at (kFileIndex, Meta, kMetaCatalog): the names of the file's indexes.
//   count u32 | count x { index u16 | name_length u16 | name bytes (UTF-8) }
constexpr size_t kMaxIndexNameBytes = 255;

// Index metadata, at (index, Meta, kMetaIndexRecord). Written when the index is
// created (with zero trees) and rewritten by every build.
//   format_version u32 | dimensions u32 | metric u8 | reserved u8[3]
//   bucket_capacity u32 | item_count u32 | seed u64 | max_norm f32
//   tree_count u32 | roots u32[tree_count]
constexpr size_t kIndexMetaFixedSize = 36;

// Item record, at (index, Item, id): the stored vector and its L2 norm. The
// norm is cached so cosine needs one dot product per candidate, and the dot
// metric can derive its extra dimension without rewriting vectors.
//   norm f32 | values f32[dimensions]
constexpr size_t kItemHeaderSize = 4;

// Tree node, at (index, Node, id). The first byte is the tag.
enum class NodeTag : uint8_t {
  Bucket = 1,       // tag | pad[3] | count u32 | ids u32[count], ascending
  Split = 2,        // tag | pad[3] | left u32 | right u32 | offset f32 | extra f32 | normal f32[dimensions]
  RandomSplit = 3,  // tag | pad[3] | left u32 | right u32   (no usable plane: items went left or right by coin)
};
constexpr size_t kBucketHeaderSize = 8;
constexpr size_t kSplitHeaderSize = 20;
constexpr size_t kRandomSplitSize = 12;

// ---------------------------------------------------------------- limits

// Largest vector length accepted. A vector record must stay well below LMDB's
// 4 GiB value limit and a query's scratch must fit comfortably on the heap.
constexpr uint32_t kMaxDimensions = 65536;

// Largest item id; ids are the full u32 range.
constexpr uint64_t kMaxItemId = 0xFFFFFFFFull;

// Largest number of trees a build may ask for.
constexpr uint32_t kMaxTrees = 10000;

// Bucket capacities a build may use (items per leaf).
constexpr uint32_t kMinBucketCapacity = 2;
constexpr uint32_t kMaxBucketCapacity = 4096;

}  // namespace arroy
