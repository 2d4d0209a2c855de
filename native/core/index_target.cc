#include "index_target.h"

#include <cmath>

#include "errors.h"
#include "limits.h"

namespace arroy {

SearchTarget::SearchTarget(std::shared_ptr<Environment> env, IndexDatabases dbs, uint64_t instance,
                           uint32_t dimensions, Metric metric, bool string_keys)
    : env_(std::move(env)),
      dbs_(dbs),
      instance_(instance),
      dimensions_(dimensions),
      metric_(metric),
      kernels_(&active_kernels()),
      string_keys_(string_keys) {}

SearchTarget::~SearchTarget() {
  // The sessions' transactions must end while the environment is still open.
  idle_sessions_.clear();
}

std::unique_ptr<ReadSession> SearchTarget::borrow_session() const {
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    if (!idle_sessions_.empty()) {
      std::unique_ptr<ReadSession> session = std::move(idle_sessions_.back());
      idle_sessions_.pop_back();
      return session;
    }
  }
  return std::make_unique<ReadSession>();
}

void SearchTarget::return_session(std::unique_ptr<ReadSession> session) const {
  if (!session || session->txn.active()) return;  // a session still in a snapshot is not reusable
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  idle_sessions_.push_back(std::move(session));
}

SnapshotScope::SnapshotScope(const SearchTarget& target, ReadSession& session) : session_(session) {
  session_.txn.begin(*target.env(), false);
  try {
    session_.view.attach(session_.txn, target.env()->main_database(), target.dbs());
    const IndexMeta& meta = session_.view.meta();
    if (meta.instance != target.instance()) fail(ErrorCode::NotAnIndex, "the index was dropped");
    if (meta.dimensions != target.dimensions() || meta.metric != target.metric()) {
      corrupt("index metadata changed its dimensions or distance while open");
    }
  } catch (...) {
    session_.txn.reset();
    throw;
  }
}

SnapshotScope::~SnapshotScope() { session_.txn.reset(); }

std::vector<Hit> search_target(const SearchTarget& target, ReadSession& session, const float* query, size_t length,
                               const SearchRequest& request, std::vector<std::string>* keys,
                               std::vector<Attributes>* attributes) {
  const uint32_t dims = target.dimensions();
  if (length != dims) {
    fail(ErrorCode::DimensionMismatch,
         "the query has " + std::to_string(length) + " values, the index " + std::to_string(dims));
  }
  for (uint32_t i = 0; i < dims; i++) {
    if (!std::isfinite(query[i])) fail(ErrorCode::InvalidArgument, "the query holds a non-finite value");
  }
  const float norm = l2_norm(target.kernels(), query, dims);
  if (!std::isfinite(norm)) fail(ErrorCode::InvalidArgument, "the query's norm overflows a float");
  if (target.metric() == Metric::Cosine && !(norm > 0)) {
    fail(ErrorCode::InvalidArgument, "a zero vector has no cosine distance");
  }
  SnapshotScope snapshot(target, session);
  std::vector<Hit> hits = search_index(snapshot.view(), target.kernels(), QueryVector{query, norm}, request);
  read_hit_keys(target, snapshot.txn(), hits, keys);
  read_hit_attributes(target, snapshot.txn(), hits, attributes);
  return hits;
}

void read_hit_keys(const SearchTarget& target, const Transaction& txn, const std::vector<Hit>& hits,
                   std::vector<std::string>* keys) {
  if (!keys) return;
  keys->clear();
  for (const Hit& hit : hits) {
    MDB_val value;
    if (!txn.get(target.dbs().key_names, hit.id, &value)) corrupt("item " + std::to_string(hit.id) + " has no key");
    if (value.mv_size == 0 || value.mv_size > kMaxKeyBytes) {
      corrupt("a key name of " + std::to_string(value.mv_size) + " bytes");
    }
    keys->emplace_back(static_cast<const char*>(value.mv_data), value.mv_size);
  }
}

void read_hit_attributes(const SearchTarget& target, const Transaction& txn, const std::vector<Hit>& hits,
                         std::vector<Attributes>* attributes) {
  if (!attributes) return;
  attributes->clear();
  const FieldDictionary dictionary = read_field_dictionary(txn, target.env()->main_database(), target.dbs().index);
  for (const Hit& hit : hits) {
    std::optional<Attributes> found = read_item_attributes(txn, target.dbs(), dictionary, hit.id);
    attributes->push_back(found ? std::move(*found) : Attributes{});
  }
}

}  // namespace arroy
