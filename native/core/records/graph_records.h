// The graph's records (format.h): the graph record with its recall curve, and
// the links record of each slot. Decoders check every count against the
// bytes and the limits, so a damaged record is an error, not a wild read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "format.h"

namespace arroy {

// One measured point of the recall curve.
struct CurvePoint {
  uint32_t ef = 0;
  float recall = 0;     // mean recall@10 of the held-out queries
  float std_error = 0;  // of that mean, over the queries (their 10 answers are not independent)
  float scored = 0;  // mean distances computed per search
};

struct GraphRecord {
  uint32_t degree = 0;
  uint32_t entry = kNoGraphEntry;
  uint32_t changes = 0;  // items added or removed since the curve was measured
  uint32_t answers = 0;  // held-out answers each curve point was measured on
  std::vector<CurvePoint> curve;  // ascending ef
};
std::vector<uint8_t> encode_graph_record(const GraphRecord& record);
GraphRecord decode_graph_record(const void* data, size_t size);

// A links record: `count` little-endian u32 slots starting at `bytes`.
struct LinkList {
  const uint8_t* bytes = nullptr;
  uint32_t count = 0;
};
// Checks the record's size against `degree`.
LinkList decode_links(const void* data, size_t size, uint32_t degree);
std::vector<uint8_t> encode_links(const std::vector<uint32_t>& slots);

}  // namespace arroy
