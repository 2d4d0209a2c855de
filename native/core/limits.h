// The limits of the core's API: what a caller may ask for. The binding
// exports every one of them (limits in the addon's exports), so the
// TypeScript layer and its documentation quote these numbers instead of
// repeating them. On-disk constants live in format.h, tunable defaults in
// defaults.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arroy {

// Largest vector length accepted. A vector record must stay well below LMDB's
// 4 GiB value limit and a query's scratch must fit comfortably on the heap.
constexpr uint32_t kMaxDimensions = 65536;

// Largest item id; ids are the full u32 range.
constexpr uint64_t kMaxItemId = 0xFFFFFFFFull;

// Longest string key, in bytes: LMDB's largest key.
constexpr size_t kMaxKeyBytes = 511;

// Largest number of trees a build may ask for.
constexpr uint32_t kMaxTrees = 10000;

// Bucket capacities a build may use (items per leaf).
constexpr uint32_t kMinBucketCapacity = 2;
constexpr uint32_t kMaxBucketCapacity = 4096;

// Longest index name, in bytes of UTF-8 (the catalog stores names behind a
// u16 length; 255 keeps them printable in one line).
constexpr size_t kMaxIndexNameBytes = 255;

// Most threads a build may be given (threads: 0 means every hardware thread).
constexpr unsigned kMaxThreads = 1024;

// Most result entries (rows × k) one searchBatch may ask for: 2^28 ids and
// distances are 2 GiB, more than a batch should hold in memory at once.
constexpr uint64_t kMaxBatchResults = uint64_t(1) << 28;

// Largest graph degree a build may ask for (edges per item), and largest ef a
// search may ask for (results a graph search keeps before it returns k).
constexpr uint32_t kMaxGraphDegree = 256;
constexpr uint32_t kMaxSearchEf = 1u << 20;

// Attributes (records/attribute_records.h). An item's attributes are read
// whole with each result that asks for them and rewritten whole by every
// add, so they are kept small: metadata to filter on, not documents.
// Fields one item may carry, and distinct fields one index may know (field
// ids are u16 on disk; 1024 keeps the dictionary a few kilobytes).
constexpr uint32_t kMaxAttributeFields = 64;
constexpr uint32_t kMaxIndexFields = 1024;
// Longest field name and longest string value, in bytes of UTF-8. A string
// value is part of an LMDB key in the inverted index (at most 511 bytes with
// the field and the slot), so 256 leaves room.
constexpr size_t kMaxAttributeNameBytes = 64;
constexpr size_t kMaxAttributeStringBytes = 256;
// Most bytes one item's encoded attribute record may take.
constexpr size_t kMaxAttributeBytes = 16384;
// Deepest nesting of $and / $or / $not a `where` may have, and most values
// one predicate may list ($in): bounds on the work and stack of one resolve.
constexpr uint32_t kMaxWhereDepth = 32;
constexpr uint32_t kMaxWhereValues = 65536;

}  // namespace arroy
