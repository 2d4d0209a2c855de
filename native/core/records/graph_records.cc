#include "records/graph_records.h"

#include <cmath>
#include <string>

#include "errors.h"
#include "limits.h"
#include "records/bytes.h"

namespace arroy {

std::vector<uint8_t> encode_graph_record(const GraphRecord& record) {
  ByteWriter w;
  w.reserve(kGraphRecordFixedSize + kGraphCurvePointSize * record.curve.size());
  w.u32(record.degree);
  w.u32(record.entry);
  w.u32(record.changes);
  w.u32(record.answers);
  w.u32(static_cast<uint32_t>(record.curve.size()));
  for (const CurvePoint& p : record.curve) {
    w.u32(p.ef);
    w.f32(p.recall);
    w.f32(p.std_error);
    w.f32(p.scored);
  }
  return w.take();
}

GraphRecord decode_graph_record(const void* data, size_t size) {
  ByteReader r(data, size, "graph record");
  GraphRecord record;
  record.degree = r.u32();
  record.entry = r.u32();
  record.changes = r.u32();
  record.answers = r.u32();
  const uint32_t points = r.u32();
  if (record.degree == 0 || record.degree > kMaxGraphDegree) corrupt("graph degree out of range");
  if (points > kMaxGraphCurvePoints || points * kGraphCurvePointSize != r.remaining()) {
    corrupt("the graph record's curve does not match its size");
  }
  record.curve.resize(points);
  uint32_t last_ef = 0;
  for (CurvePoint& p : record.curve) {
    p.ef = r.u32();
    p.recall = r.f32();
    p.std_error = r.f32();
    p.scored = r.f32();
    if (p.ef <= last_ef || p.ef > kMaxSearchEf) corrupt("the recall curve's ef values are out of order");
    if (!(p.recall >= 0 && p.recall <= 1) || !(p.std_error >= 0 && p.std_error <= 1) ||
        !(p.scored >= 0 && std::isfinite(p.scored))) {
      corrupt("the recall curve holds an invalid point");
    }
    last_ef = p.ef;
  }
  r.expect_end();
  return record;
}

LinkList decode_links(const void* data, size_t size, uint32_t degree) {
  if (size % 4 != 0 || size / 4 > degree) {
    corrupt("a links record of " + std::to_string(size) + " bytes (degree " + std::to_string(degree) + ")");
  }
  return LinkList{static_cast<const uint8_t*>(data), static_cast<uint32_t>(size / 4)};
}

std::vector<uint8_t> encode_links(const std::vector<uint32_t>& slots) {
  ByteWriter w;
  w.reserve(4 * slots.size());
  for (uint32_t s : slots) w.u32(s);
  return w.take();
}

}  // namespace arroy
