#include "items/slot_checksums.h"

#include <map>
#include <string>
#include <vector>

#include "errors.h"
#include "records/slot_records.h"
#include "records/u32_records.h"
#include "storage/cursor.h"

namespace arroy {

namespace {

// Enough to act on; the count says how many more there are.
constexpr size_t kNamedAtMost = 20;

// Names a damaged slot by the id record that points at it: the id stored in
// the slot itself may be what was damaged.
std::map<uint32_t, uint32_t> owners_of(const Transaction& txn, const IndexDatabases& dbs,
                                       const std::vector<uint32_t>& slots) {
  std::map<uint32_t, uint32_t> owners;  // slot -> id
  std::map<uint32_t, bool> wanted;
  for (uint32_t slot : slots) wanted[slot] = true;
  Cursor cursor(txn, dbs.ids);
  MDB_val value;
  uint32_t id;
  for (bool ok = cursor.first(&id, &value); ok && owners.size() < wanted.size(); ok = cursor.next(&id, &value)) {
    uint32_t slot = decode_u32(value.mv_data, value.mv_size, "id record");
    if (wanted.count(slot)) owners[slot] = id;
  }
  return owners;
}

std::string describe_slot(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta, uint32_t slot,
                          const std::map<uint32_t, uint32_t>& owners) {
  auto owner = owners.find(slot);
  if (owner == owners.end()) return "free slot " + std::to_string(slot);
  std::string out = "item " + std::to_string(owner->second);
  MDB_val key;
  if (meta.key_kind == kStringKeys && txn.get(dbs.key_names, owner->second, &key)) {
    out += " (key '" + std::string(static_cast<const char*>(key.mv_data), key.mv_size) + "')";
  }
  return out + " in slot " + std::to_string(slot);
}

}  // namespace

void verify_slot_checksums(const Transaction& txn, const IndexDatabases& dbs, const IndexMeta& meta) {
  const size_t slot_bytes = slot_size(meta.dimensions);
  const size_t slab_bytes = slot_bytes * meta.slots_per_slab;
  std::vector<uint32_t> damaged;
  uint64_t damaged_count = 0;
  Cursor cursor(txn, dbs.slabs);
  MDB_val v;
  uint32_t number;
  for (bool ok = cursor.first(&number, &v); ok; ok = cursor.next(&number, &v)) {
    if (v.mv_size != slab_bytes) corrupt("slab " + std::to_string(number) + " has " + std::to_string(v.mv_size) + " bytes");
    const uint8_t* slab = static_cast<const uint8_t*>(v.mv_data);
    for (uint32_t position = 0; position < meta.slots_per_slab; position++) {
      if (slot_intact(slab + slot_bytes * position, meta.dimensions)) continue;
      damaged_count++;
      uint64_t slot = uint64_t(number) * meta.slots_per_slab + position;
      if (damaged.size() < kNamedAtMost && slot <= 0xFFFFFFFFull) damaged.push_back(static_cast<uint32_t>(slot));
    }
  }
  if (damaged_count == 0) return;
  const std::map<uint32_t, uint32_t> owners = owners_of(txn, dbs, damaged);
  std::string message = std::to_string(damaged_count) +
                        (damaged_count == 1 ? " stored vector fails its checksum: " : " stored vectors fail their checksums: ");
  for (size_t i = 0; i < damaged.size(); i++) {
    if (i) message += ", ";
    message += describe_slot(txn, dbs, meta, damaged[i], owners);
  }
  if (damaged_count > damaged.size()) message += ", and " + std::to_string(damaged_count - damaged.size()) + " more";
  corrupt(message + " (re-add those items from their source and build, or rebuild the file)");
}

}  // namespace arroy
