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
//                                 and each index's metadata and free slots; keys
//                                 are short ASCII strings (kFileHeaderKey,
//                                 kCatalogKey, meta_key(), free_slots_key()).
//   "arroy-ts/<index>/slabs"      the vectors, packed into fixed-size slabs of
//                                 slots, keyed by slab number
//   "arroy-ts/<index>/ids"        item id -> slot
//   "arroy-ts/<index>/nodes"      tree nodes, keyed by node id
//   "arroy-ts/<index>/keys"       string key -> item id (indexes with string keys)
//   "arroy-ts/<index>/key-names"  item id -> string key (the same map reversed)
//   "arroy-ts/<index>/links"      slot -> the slots of its neighbours in the graph
//   "arroy-ts/<index>/attributes" item id -> the item's attribute record
//   "arroy-ts/<index>/postings"   the attributes' inverted index: one empty
//                                 value per (field, value, slot), keyed by
//                                 posting_key bytes (below)
// <index> is the decimal IndexId the catalog gives a name. Every per-index
// database but "keys" and "postings" (keyed by bytes) uses MDB_INTEGERKEY with
// u32 keys, so LMDB orders them numerically and a rebuilt forest (or a run
// of new slabs) is written in append order, which fills pages completely. Every index keeps its own databases, so
// dropping or rebuilding one never touches another's pages.
//
// Why slabs: a query scores hundreds or thousands of candidates, and a B-tree
// lookup per candidate costs several cache misses. Trees therefore refer to
// items by *slot* (a dense internal number); slot s lives in slab
// s / slots_per_slab at offset (s % slots_per_slab) * slot_size. The slab
// database is small enough to stay in cache, and a slab is one contiguous run
// of LMDB overflow pages, so a candidate costs one hot lookup and one read of
// its own bytes, as in Annoy's flat file. Slab sizes are chosen to fill whole
// pages, which also avoids LMDB's page-per-value waste for large vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace arroy {

// ---------------------------------------------------------------- file level

// Bumped whenever any encoding below changes meaning. Files carry it in the
// file header and in every index's metadata; a mismatch refuses to open
// (ERR_ARROY_FORMAT_VERSION, naming both versions; the index must be rebuilt
// from its source vectors). History (docs/FORMAT.md#versions):
//   1  the first format
//   2  a CRC32C per slot and at the end of index metadata (silent damage to
//      stored vectors is detected, not served)
//   3  attributes: two more databases per index ("attributes", "postings")
//      and the field dictionary (fields_key); every index has them, so a
//      version 2 file (which lacks them) is refused rather than half-read
constexpr uint32_t kFormatVersion = 3;

// The database holding the file header, the catalog and index metadata. An
// LMDB file without it was written by some other program.
constexpr const char* kDatabaseName = "arroy-ts";

// First 8 bytes of the file header value.
constexpr char kFileMagic[8] = {'a', 'r', 'r', 'o', 'y', '-', 't', 's'};

// ---------------------------------------------------------------- keys

using IndexId = uint16_t;

// Keys of kDatabaseName.
constexpr const char* kFileHeaderKey = "header";
constexpr const char* kCatalogKey = "catalog";
inline std::string meta_key(IndexId index) { return "meta/" + std::to_string(index); }

// Names of an index's own databases.
inline std::string free_slots_key(IndexId index) { return "free/" + std::to_string(index); }
inline std::string slabs_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/slabs"; }
inline std::string ids_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/ids"; }
inline std::string nodes_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/nodes"; }
inline std::string keys_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/keys"; }
inline std::string key_names_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/key-names"; }
inline std::string links_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/links"; }
inline std::string attributes_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/attributes"; }
inline std::string postings_database(IndexId index) { return "arroy-ts/" + std::to_string(index) + "/postings"; }
inline std::string graph_key(IndexId index) { return "graph/" + std::to_string(index); }
inline std::string fields_key(IndexId index) { return "fields/" + std::to_string(index); }
// Every key of kDatabaseName that belongs to one index: what dropping the
// index deletes and what a snapshot of it copies.
inline std::vector<std::string> index_records_keys(IndexId index) {
  return {meta_key(index), free_slots_key(index), graph_key(index), fields_key(index)};
}

// Indexes one file may hold. Each uses kDatabasesPerIndex LMDB databases and
// LMDB's table of open databases is sized for all of them up front.
constexpr uint32_t kMaxIndexesPerFile = 128;
constexpr uint32_t kDatabasesPerIndex = 8;  // slabs, ids, nodes, keys, key-names, links, attributes, postings

// ---------------------------------------------------------------- values

// File header, at kFileHeaderKey:
//   magic[8] | format_version u32
constexpr size_t kFileHeaderSize = 12;

// Catalog, at kCatalogKey: the names of the file's indexes.
//   count u32 | count x { index u16 | name_length u16 | name bytes (UTF-8) }
// (at most kMaxIndexNameBytes of name, limits.h)

// Index metadata, at meta_key(index). Written when the index is
// created (with zero trees) and rewritten by every build.
//   format_version u32 | instance u64 | dimensions u32 | metric u8 | key_kind u8 | reserved u8[2]
//   bucket_capacity u32 | slots_per_slab u32 | slot_count u32
//   item_count u32 | node_count u32 | next_key_id u32 | seed u64 | max_norm f32
//   tree_count u32 | roots u32[tree_count] | checksum u32
// slot_count is the high-water mark: slots below it are live or free.
// node_count bounds node ids: every node id is below it. instance is drawn at
// random when the index is created, so an Index still open on a dropped index
// notices even if a new index has taken its place in the catalog.
// key_kind says whether items are addressed by u32 ids (kIdKeys) or by
// string keys (kStringKeys), which the index maps to ids it allocates from
// next_key_id (ids of deleted keys are not reused).
// checksum is the CRC32C (checksum/crc32c.h) of every byte before it: a
// flipped count or root is reported as damage before anything trusts it.
constexpr size_t kIndexMetaFixedSize = 64;
constexpr uint8_t kIdKeys = 0;
constexpr uint8_t kStringKeys = 1;

// Free slots, at free_slots_key(index): u32[] ascending, reused before
// slot_count grows. Absent when empty.

// A slab, keyed by slab number in slabs_database(index): exactly
// slots_per_slab slots of slot_size(dimensions) bytes. A slot:
//   item_id u32 | state u32 (kSlotFree / kSlotLive) | norm f32 | checksum u32 | values f32[dimensions]
// The norm is cached so cosine needs one dot product per candidate, and the
// dot metric derives its extra dimension without rewriting vectors. checksum
// is the CRC32C of the slot's other bytes (item_id, state, norm, then values),
// free slots included; it is per slot rather than per slab so that get()
// verifies only the bytes it returns and a damaged slot names its item.
constexpr size_t kSlotHeaderSize = 16;
constexpr size_t kSlotChecksumOffset = 12;
constexpr uint32_t kSlotFree = 0;
constexpr uint32_t kSlotLive = 1;
inline size_t slot_size(uint32_t dimensions) { return kSlotHeaderSize + 4ull * dimensions; }

// An id record, keyed by item id in ids_database(index): slot u32.

// Tree node, keyed by node id in nodes_database(index). The first byte is the tag.
enum class NodeTag : uint8_t {
  Bucket = 1,       // tag | pad[3] | count u32 | slots u32[count], ascending
  Split = 2,        // tag | pad[3] | left u32 | right u32 | offset f32 | extra f32 | normal f32[dimensions]
  RandomSplit = 3,  // tag | pad[3] | left u32 | right u32   (no usable plane: items went left or right by coin)
};
constexpr size_t kBucketHeaderSize = 8;
constexpr size_t kSplitHeaderSize = 20;
constexpr size_t kRandomSplitSize = 12;

// ---------------------------------------------------------------- neighbour graph

// Graph record, at graph_key(index), written by every build of an index that
// has a graph (absent: the index is searched through its trees only):
//   degree u32 | entry u32 | changes u32 | answers u32 | point_count u32
//   point_count x { ef u32 | recall f32 | std_error f32 | scored f32 }
// degree bounds every edge list; entry is the slot where a search with no
// better start begins (kNoGraphEntry: the graph is empty); changes counts the
// items added or removed since the recall curve was measured; the curve holds,
// for each ef measured, the mean recall@10 of the held-out queries (`answers`
// answers in all), the standard error of that mean over the queries, and the
// mean number of distances a search computed.
constexpr size_t kGraphRecordFixedSize = 20;
constexpr size_t kGraphCurvePointSize = 16;
constexpr uint32_t kMaxGraphCurvePoints = 64;
constexpr uint32_t kNoGraphEntry = 0xFFFFFFFFu;

// A links record, keyed by slot in links_database(index): u32[count] neighbour
// slots, count <= degree, in the order the build chose them (nearest first).
// Only live slots have one; an edge may point at a slot freed or reused since,
// which a search skips or simply scores.

// ---------------------------------------------------------------- attributes

// Field dictionary, at fields_key(index): the attribute fields the index has
// seen, each with the type its first write fixed. A field's id is its
// position; fields are only ever appended (absent: no attributes yet).
//   count u16 | count x { type u8 (AttributeType) | name_length u8 | name bytes (UTF-8) }
enum class AttributeType : uint8_t { String = 1, Number = 2, Boolean = 3 };

// An attribute record, keyed by item id in attributes_database(index); only
// items with at least one attribute have one:
//   count u8 | count x { field u16 | flags u8 | value_count u16 | values }
// fields ascending by id, each at most once; flags bit 0 (kAttributeArray):
// the value was an array (value_count may then be 0), else value_count is 1.
// A value, by the field's type: number f64 (finite, -0 stored as 0) |
// boolean u8 (0 or 1) | string u16 length + bytes.
constexpr uint8_t kAttributeArray = 1;

// A posting, the key of an empty value in postings_database(index), compared
// bytewise (LMDB's default), so that the postings of one field and value are
// one run and a number field's values are in numeric order:
//   field u16 big-endian | value | slot u32 big-endian
// value: number: 8 bytes big-endian of the f64's bits with the sign bit set
// (positive) or every bit flipped (negative), which orders like the number;
// boolean: u8; string: u16 big-endian length + bytes (equality only: runs of
// one length sort together, not alphabetically). The slot is the item's
// slot: a filter resolves straight to the slot bitmap searches use.
constexpr size_t kPostingFieldSize = 2;
constexpr size_t kPostingSlotSize = 4;

// ---------------------------------------------------------------- slab sizing

// Slab sizing: the fewest pages (up to kMaxSlabPages) whose slots fill at least
// kSlabFillTarget of them; failing that, the best fill seen. Bigger slabs waste
// less space but make every rewrite of one slot copy more pages.
constexpr uint32_t kMaxSlabPages = 16;
constexpr double kSlabFillTarget = 0.98;  // choose_slots_per_slab (records/slot_records.h) applies both

// ---------------------------------------------------------------- snapshot trailer

// A snapshot (snapshot/snapshot_file.h) is a compacted LMDB copy followed by
// a trailer of kSnapshotTrailerSize bytes. LMDB never reads past the pages
// its meta page names, so LMDB and mdb_stat open the file as it is, and the
// trailer makes the file length kSnapshotTrailerSize past a multiple of the
// smallest LMDB page: a file whose length is a multiple of it has no trailer.
//   0  magic[8]           kSnapshotMagic
//   8  version u32        kSnapshotVersion
//   12 content_crc u32    CRC32C of bytes [0, content_length)
//   16 content_length u64 the LMDB copy's length, a multiple of kSnapshotAlignment
//   24 reserved[36]       zero
//   60 trailer_crc u32    CRC32C of trailer bytes [0, 60)
constexpr char kSnapshotMagic[8] = {'a', 'r', 'r', 'o', 'y', 's', 'u', 'm'};
constexpr uint32_t kSnapshotVersion = 1;
constexpr size_t kSnapshotTrailerSize = 64;
constexpr size_t kSnapshotAlignment = 512;  // LMDB's smallest page size (file_check.h kMinPageSize)
constexpr size_t kSnapshotContentCrcOffset = 12;
constexpr size_t kSnapshotLengthOffset = 16;
constexpr size_t kSnapshotTrailerCrcOffset = 60;

}  // namespace arroy
