#include "graph/graph_inspect.h"

#include <string>

#include "errors.h"
#include "records/bytes.h"
#include "storage/cursor.h"

namespace arroy {

GraphStats inspect_graph(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs, const IndexMeta& meta,
                         const std::function<bool(uint32_t)>& live, bool verify) {
  auto check = [verify](bool ok, const std::string& what) {
    if (verify && !ok) corrupt(what);
  };
  GraphStats stats;
  MDB_val value;
  if (!txn.get(main, graph_key(dbs.index), &value)) {
    check(txn.entries(dbs.links) == 0, "links are stored for an index without a graph");
    return stats;
  }
  const GraphRecord record = decode_graph_record(value.mv_data, value.mv_size);
  stats.present = true;
  stats.degree = record.degree;
  stats.changes = record.changes;
  stats.answers = record.answers;
  stats.curve = record.curve;
  check(record.entry == kNoGraphEntry ? meta.item_count == 0 : record.entry < meta.slot_count && live(record.entry),
        "the graph's entry is not a live item");

  Cursor cursor(txn, dbs.links);
  uint32_t slot;
  MDB_val links;
  for (bool more = cursor.first(&slot, &links); more; more = cursor.next(&slot, &links)) {
    const bool owner_live = slot < meta.slot_count && live(slot);
    check(owner_live, "slot " + std::to_string(slot) + " holds no live item but has graph edges");
    LinkList list = decode_links(links.mv_data, links.mv_size, record.degree);
    if (owner_live && list.count > 0) stats.linked_items++;
    for (uint32_t i = 0; i < list.count; i++) {
      const uint32_t to = load_u32(list.bytes, i);
      check(to < meta.slot_count, "an edge of slot " + std::to_string(slot) + " points beyond the slot count");
      check(to != slot, "slot " + std::to_string(slot) + " has an edge to itself");
      stats.edges++;
      if (to >= meta.slot_count || !live(to)) stats.stale_edges++;
    }
  }
  check(meta.item_count <= 1 || stats.linked_items == meta.item_count,
        std::to_string(meta.item_count - stats.linked_items) + " live items have no graph edges");
  return stats;
}

}  // namespace arroy
