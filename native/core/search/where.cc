#include "search/where.h"

#include <cmath>
#include <cstring>

#include "defaults.h"
#include "errors.h"
#include "items/attribute_store.h"
#include "limits.h"
#include "records/u32_records.h"
#include "storage/cursor.h"

namespace arroy {

namespace {

using Bits = std::vector<uint64_t>;

void check_tree(const WhereNode& node, uint32_t depth) {
  if (depth > kMaxWhereDepth) {
    fail(ErrorCode::InvalidArgument, "a where nests deeper than " + std::to_string(kMaxWhereDepth) + " levels");
  }
  if (node.values.size() > kMaxWhereValues) {
    fail(ErrorCode::InvalidArgument, "a where predicate lists more than " + std::to_string(kMaxWhereValues) + " values");
  }
  switch (node.op) {
    case WhereOp::Not:
      if (node.children.size() != 1) fail(ErrorCode::InvalidArgument, "$not takes exactly one predicate");
      break;
    case WhereOp::Eq:
    case WhereOp::Ne:
      if (node.values.size() != 1) fail(ErrorCode::InvalidArgument, "an equality compares with exactly one value");
      break;
    case WhereOp::Range:
      if ((node.has_lower && !std::isfinite(node.lower)) || (node.has_upper && !std::isfinite(node.upper))) {
        fail(ErrorCode::InvalidArgument, "attribute '" + node.field + "': a range bound must be a finite number");
      }
      break;
    default: break;
  }
  for (const WhereNode& child : node.children) check_tree(child, depth + 1);
}

// Resolves one tree against one snapshot.
class Resolver {
 public:
  Resolver(const Transaction& txn, MDB_dbi main, const IndexDatabases& dbs, const IndexMeta& meta)
      : txn_(txn), main_(main), dbs_(dbs), meta_(meta), words_((size_t(meta.slot_count) + 63) / 64),
        dictionary_(read_field_dictionary(txn, main, dbs.index)) {}

  Bits eval(const WhereNode& node) {
    switch (node.op) {
      case WhereOp::And: {
        Bits out = live();
        for (const WhereNode& child : node.children) {
          Bits b = eval(child);
          for (size_t i = 0; i < words_; i++) out[i] &= b[i];
        }
        return out;
      }
      case WhereOp::Or: {
        Bits out(words_, 0);
        for (const WhereNode& child : node.children) {
          Bits b = eval(child);
          for (size_t i = 0; i < words_; i++) out[i] |= b[i];
        }
        return out;
      }
      case WhereOp::Not: return complement(eval(node.children[0]));
      case WhereOp::Eq:
      case WhereOp::In: {
        const uint16_t field = field_of(node);
        Bits out(words_, 0);
        for (const AttributeScalar& v : node.values) {
          check_type(node, v);
          collect_equal(posting_prefix(field, v), out);
        }
        return out;
      }
      case WhereOp::Ne: {
        const uint16_t field = field_of(node);
        check_type(node, node.values[0]);
        Bits out(words_, 0);
        collect_equal(posting_prefix(field, node.values[0]), out);
        return complement(std::move(out));
      }
      case WhereOp::Range: return range(node);
    }
    return Bits(words_, 0);
  }

 private:
  uint16_t field_of(const WhereNode& node) const {
    int id = find_field(dictionary_, node.field);
    if (id < 0) fail(ErrorCode::InvalidArgument, "unknown attribute field '" + node.field + "': no item has had it");
    return static_cast<uint16_t>(id);
  }

  void check_type(const WhereNode& node, const AttributeScalar& v) const {
    const AttributeType type = dictionary_[field_of(node)].type;
    if (v.type != type) {
      fail(ErrorCode::InvalidArgument, "attribute '" + node.field + "' holds " + attribute_type_name(type) +
                                           " values; the where compares it with a " + attribute_type_name(v.type));
    }
  }

  void set(Bits& bits, const uint8_t* key, size_t size) const {
    uint32_t slot = 0;
    for (size_t i = size - kPostingSlotSize; i < size; i++) slot = (slot << 8) | key[i];
    if (slot >= meta_.slot_count) corrupt("a posting names a slot beyond the slot count");
    bits[slot >> 6] |= uint64_t(1) << (slot & 63);
  }

  // Every posting key `prefix | slot`: one run of the database.
  void collect_equal(const std::string& prefix, Bits& bits) {
    KeyCursor cursor(txn_, dbs_.postings);
    MDB_val k, v;
    for (bool more = cursor.seek(prefix, &k, &v); more; more = cursor.next(&k, &v)) {
      if (k.mv_size != prefix.size() + kPostingSlotSize || std::memcmp(k.mv_data, prefix.data(), prefix.size()) != 0) {
        break;
      }
      set(bits, static_cast<const uint8_t*>(k.mv_data), k.mv_size);
    }
  }

  // A number field's postings are in numeric order: one scan from the lower bound.
  Bits range(const WhereNode& node) {
    const uint16_t field = field_of(node);
    const AttributeType type = dictionary_[field].type;
    if (type != AttributeType::Number) {
      fail(ErrorCode::InvalidArgument, "attribute '" + node.field + "' holds " + attribute_type_name(type) +
                                           " values; $gt, $gte, $lt and $lte compare numbers only");
    }
    Bits out(words_, 0);
    AttributeScalar start;
    start.type = AttributeType::Number;
    start.number = node.has_lower ? node.lower : -INFINITY;
    std::string seek = posting_prefix(field, start);
    if (!node.has_lower) seek.resize(kPostingFieldSize);  // from the field's first posting
    const size_t key_size = kPostingFieldSize + 8 + kPostingSlotSize;
    const uint64_t lower_bits = ordered_number_bits(node.lower), upper_bits = ordered_number_bits(node.upper);
    KeyCursor cursor(txn_, dbs_.postings);
    MDB_val k, v;
    for (bool more = cursor.seek(seek, &k, &v); more; more = cursor.next(&k, &v)) {
      const uint8_t* p = static_cast<const uint8_t*>(k.mv_data);
      if (k.mv_size < kPostingFieldSize || std::memcmp(p, seek.data(), kPostingFieldSize) != 0) break;
      if (k.mv_size != key_size) corrupt("a number posting of the wrong length");
      uint64_t bits = 0;
      for (size_t i = 0; i < 8; i++) bits = (bits << 8) | p[kPostingFieldSize + i];
      if (node.has_lower && !node.lower_inclusive && bits == lower_bits) continue;
      if (node.has_upper && (bits > upper_bits || (!node.upper_inclusive && bits == upper_bits))) break;
      set(out, p, k.mv_size);
    }
    return out;
  }

  // Live slots: below the slot count and not listed free.
  const Bits& live() {
    if (live_.empty() && words_) {
      live_.assign(words_, ~uint64_t(0));
      if (meta_.slot_count % 64) live_.back() = (uint64_t(1) << (meta_.slot_count % 64)) - 1;
      MDB_val value;
      if (txn_.get(main_, free_slots_key(dbs_.index), &value)) {
        for (uint32_t slot : decode_u32_list(value.mv_data, value.mv_size, "free slot list")) {
          if (slot >= meta_.slot_count) corrupt("a free slot beyond the slot count");
          live_[slot >> 6] &= ~(uint64_t(1) << (slot & 63));
        }
      }
    }
    return live_;
  }

  Bits complement(Bits bits) {
    const Bits& all = live();
    for (size_t i = 0; i < words_; i++) bits[i] = all[i] & ~bits[i];
    return bits;
  }

  const Transaction& txn_;
  MDB_dbi main_;
  const IndexDatabases& dbs_;
  const IndexMeta& meta_;
  size_t words_;
  FieldDictionary dictionary_;
  Bits live_;
};

}  // namespace

std::string canonical_key(const WhereNode& node) {
  std::string out(1, static_cast<char>(node.op));
  auto number = [&](double d) { out.append(reinterpret_cast<const char*>(&d), sizeof d); };
  auto text = [&](const std::string& t) {
    const uint32_t n = static_cast<uint32_t>(t.size());
    out.append(reinterpret_cast<const char*>(&n), 4);
    out.append(t);
  };
  text(node.field);
  out.push_back(static_cast<char>(node.has_lower | node.lower_inclusive << 1 | node.has_upper << 2 |
                                  node.upper_inclusive << 3));
  number(node.has_lower ? node.lower : 0);
  number(node.has_upper ? node.upper : 0);
  text(std::to_string(node.values.size()));
  for (const AttributeScalar& v : node.values) {
    out.push_back(static_cast<char>(v.type));
    if (v.type == AttributeType::String) text(v.text);
    else if (v.type == AttributeType::Number) number(v.number == 0 ? 0 : v.number);
    else out.push_back(v.boolean ? 1 : 0);
  }
  text(std::to_string(node.children.size()));
  for (const WhereNode& child : node.children) text(canonical_key(child));
  return out;
}

std::shared_ptr<AttributeFilter> WhereCache::get(WhereNode root) {
  const std::string key = canonical_key(root);
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = filters_.find(key);
  if (found != filters_.end()) return found->second;
  auto filter = std::make_shared<AttributeFilter>(std::move(root));
  if (filters_.size() >= kWhereCacheEntries) filters_.clear();
  filters_.emplace(key, filter);
  return filter;
}

AttributeFilter::AttributeFilter(WhereNode root) : root_(std::move(root)) { check_tree(root_, 1); }

std::shared_ptr<const SlotFilter> AttributeFilter::resolve(const Transaction& txn, MDB_dbi main,
                                                           const IndexDatabases& dbs, const IndexMeta& meta) {
  const size_t txn_id = mdb_txn_id(txn.txn());
  if (std::shared_ptr<const SlotFilter> cached = cache_.find(meta.instance, txn_id)) return cached;
  Resolver resolver(txn, main, dbs, meta);
  std::shared_ptr<const SlotFilter> filter = slot_filter_of_bits(resolver.eval(root_));
  cache_.offer(filter, meta.instance, txn_id);
  return filter;
}

}  // namespace arroy
