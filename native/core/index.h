// One named index inside an arroy-ts file: the API the binding wraps.
//
// Reads (get, search, counts) are synchronous and each runs in its own short
// LMDB read snapshot, released before returning. Changes (add, remove) are
// held in memory as pending until a build commits them, together with a
// rebuilt forest, in one write transaction; readers see the old state or the
// new one, never a mix (forest/build_job.h). Which indexes a file holds is
// the catalog's business (catalog.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "distance/kernels.h"
#include "distance/metric.h"
#include "forest/build_job.h"
#include "index_target.h"
#include "inspect.h"
#include "items/index_databases.h"
#include "items/read_view.h"
#include "search/search.h"
#include "storage/environment.h"
#include "storage/transaction.h"

namespace arroy {

struct OpenOptions {
  std::string name = "default";
  uint32_t dimensions = 0;         // 0: take it from the file (the index must exist)
  std::optional<Metric> metric;    // empty: take it from the file
  std::optional<bool> string_keys; // items addressed by string keys; empty: take it from the file (creating: false)
  bool read_only = false;
  uint64_t map_size = 0;           // 0: kDefaultMapSize
  bool verify = false;             // EnvironmentOptions::verify
};

class Index {
 public:
  static std::unique_ptr<Index> open(const std::string& path, const OpenOptions& options);
  ~Index();

  uint32_t dimensions() const { return dimensions_; }
  Metric metric() const { return metric_; }
  const std::string& name() const { return name_; }
  bool read_only() const { return target_ && target_->env()->read_only(); }
  bool closed() const { return !target_; }
  // What searches on other threads share with this index (null once closed).
  std::shared_ptr<const SearchTarget> target() const { return target_; }

  // Committed state.
  uint32_t size();
  uint32_t tree_count();
  bool string_keys() const { return string_keys_; }
  bool get(uint32_t id, std::vector<float>* out);
  bool has(uint32_t id);
  // The committed id of a string key.
  std::optional<uint32_t> id_of_key(const std::string& key);
  // Up to `limit` committed keys, in byte order, from `from` on (inclusive).
  std::vector<std::string> keys_from(const std::string& from, uint32_t limit);
  // The distance (as search reports it) between two stored items; nullopt if
  // either is not stored.
  std::optional<float> distance(uint32_t a, uint32_t b);
  // Up to `limit` stored ids, ascending, starting at `from` (inclusive).
  std::vector<uint32_t> ids_from(uint64_t from, uint32_t limit);
  // Seed of the committed forest; nullopt before the first build.
  std::optional<uint64_t> seed();
  // The nearest items to `query` (`length` floats: DimensionMismatch unless
  // that is the index's dimensions). With `keys` (string-keyed indexes), also
  // the key of each hit, read in the same snapshot.
  // With `attributes`, also each hit's attributes (empty for an item without).
  std::vector<Hit> search(const float* query, size_t length, const SearchRequest& request,
                          std::vector<std::string>* keys = nullptr, std::vector<Attributes>* attributes = nullptr);
  // The same around a stored item; nullopt when id is not stored.
  std::optional<std::vector<Hit>> search_by_id(uint32_t id, const SearchRequest& request,
                                               std::vector<std::string>* keys = nullptr,
                                               std::vector<Attributes>* attributes = nullptr);
  // The committed attributes of `id` (empty: it has none); nullopt when id is
  // not stored.
  std::optional<Attributes> attributes_of(uint32_t id);

  // Describes the committed index; with verify, throws Corrupt on the first
  // broken invariant (see inspect.h).
  IndexStats inspect(bool verify, bool deep = false);

  // Pending changes (validated here, so a build never meets bad input).
  // An add replaces the item's attributes with `attributes` (none: it has
  // none after the build). A field's type is fixed by its first write: one
  // of another type, committed or pending, is InvalidArgument naming it.
  void add(uint32_t id, const float* values, size_t length, Attributes attributes = {});
  void remove(uint32_t id);
  void add_key(const std::string& key, const float* values, size_t length, Attributes attributes = {});
  void remove_key(const std::string& key);
  size_t pending_count() const { return pending_.size() + keyed_pending_.size(); }

  // Hands the pending changes to a new build job; restore_pending() puts them
  // back (under any newer ones) if the job fails.
  std::unique_ptr<BuildJob> start_build(const BuildOptions& options);
  void restore_pending(BuildJob& job);

  void close();

 private:
  Index() = default;
  void check_open() const;
  void check_writable(bool keyed) const;
  void check_vector(const float* values, size_t length) const;
  // check_attributes (records/attribute_records.h), then each field's type
  // against the committed dictionary and the fields pending adds introduce.
  void check_attribute_types(Attributes& attributes);
  // Starts a call's read snapshot; the returned scope ends it.
  class Read;

  std::shared_ptr<SearchTarget> target_;
  std::string name_;
  // Copies of the target's, readable after close().
  uint32_t dimensions_ = 0;
  Metric metric_ = Metric::Euclidean;
  bool string_keys_ = false;
  ReadSession session_;  // the synchronous calls' (this object's thread)
  ChangeBatch pending_;
  KeyedChangeBatch keyed_pending_;
  AttributeBatch pending_attributes_;
  KeyedAttributeBatch keyed_pending_attributes_;
  // Types of fields first written by pending adds (the build checks again,
  // against what is committed by then).
  std::map<std::string, AttributeType> pending_fields_;
};

}  // namespace arroy
