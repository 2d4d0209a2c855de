// The arroy-ts file format: the single source of truth for every on-disk
// constant. docs/FORMAT.md describes the same layout for people; when the two
// disagree, this header wins and the document is the bug.
//
// An index file is a stock LMDB 0.9 environment opened with MDB_NOSUBDIR
// (one data file plus "<file>-lock"), so `mdb_stat -n -a <file>` reads it.
//
// Byte order: every multi-byte integer and float is little-endian (the host's
// order: arroy-ts maps records in place and refuses big-endian hosts).
//
// LMDB databases of a file:
//   kDatabaseName                 the file header, the catalog of named indexes
//                                 and each index's metadata; keys are short ASCII
//                                 strings (kFileHeaderKey, kCatalogKey, meta_key()).
//   "arroy-ts/<index>/items"      one record per stored vector, keyed by item id
//   "arroy-ts/<index>/nodes"      one record per tree node, keyed by node id
// <index> is the decimal IndexId the catalog gives a name. The per-index
// databases use MDB_INTEGERKEY with u32 keys, so LMDB orders them numerically
// and a rebuilt forest (or a run of new ids) is written in append order, which
// fills pages completely. Every index keeps its own databases, so dropping or
// rebuilding one never touches another's pages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace arroy {

// ---------------------------------------------------------------- file level

// Bumped whenever any encoding below changes meaning. Files carry it in the
// file header and in every index's metadata; a mismatch refuses to open.
constexpr uint32_t kFormatVersion = 1;

// The database holding the file header, the catalog and index metadata. An
// LMDB file without it was written by some other program.
constexpr const char* kDatabaseName = "arroy-ts";

// First 8 bytes of the file header value.
constexpr char kFileMagic[8] = {'a', 'r', 'r', 'o', 'y', '-', 't', 's'};

// ---------------------------------------------------------------- keys

using IndexId = uint16_t;
constexpr IndexId kMaxIndexId = 0xFFFF;

// Keys of kDatabaseName.
constexpr const char* kFileHeaderKey = "header";
constexpr const char* kCatalogKey = "catalog";
inline std::string meta_key(IndexId index) { return "meta/" + std::to_string(index); }

// Names of an index's own databases.
inline std::string items_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/items"; }
inline std::string nodes_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/nodes"; }

// Indexes one file may hold. Each uses kDatabasesPerIndex LMDB databases and
// LMDB's table of open databases is sized for all of them up front.
constexpr uint32_t kMaxIndexesPerFile = 128;
constexpr uint32_t kDatabasesPerIndex = 4;  // items, nodes, and room for two more per index

// ---------------------------------------------------------------- values

// File header, at kFileHeaderKey:
//   magic[8] | format_version u32
constexpr size_t kFileHeaderSize = 12;

// Catalog, at kCatalogKey: the names of the file's indexes.
//   count u32 | count x { index u16 | name_length u16 | name bytes (UTF-8) }
constexpr size_t kMaxIndexNameBytes = 255;

// Index metadata, at meta_key(index). Written when the index is
// created (with zero trees) and rewritten by every build.
//   format_version u32 | dimensions u32 | metric u8 | reserved u8[3]
//   bucket_capacity u32 | item_count u32 | seed u64 | max_norm f32
//   tree_count u32 | roots u32[tree_count]
constexpr size_t kIndexMetaFixedSize = 36;

// Item record, keyed by item id in items_database(index): the vector and its L2 norm. The
// norm is cached so cosine needs one dot product per candidate, and the dot
// metric can derive its extra dimension without rewriting vectors.
//   norm f32 | values f32[dimensions]
constexpr size_t kItemHeaderSize = 4;

// Tree node, keyed by node id in nodes_database(index). The first byte is the tag.
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
