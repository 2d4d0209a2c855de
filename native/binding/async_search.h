// Searches that settle a Promise: the work runs on the core's search pool
// (search/search_pool.h), the result travels back to the JS thread through
// one thread-safe function per JS environment.
//
// Nothing a running search touches belongs to JS: it copies its query, holds
// the index's SearchTarget and its filter by shared_ptr, and so may outlive
// Index.close(), the Filter object's collection, or the environment itself
// (then its result is dropped on the pool thread).
#pragma once

#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "errors.h"
#include "index_target.h"

namespace arroy_binding {

class SearchChannel;

class AsyncSearch {
 public:
  explicit AsyncSearch(std::shared_ptr<const arroy::SearchTarget> target)
      : target_(std::move(target)), keyed_(target_->string_keys()) {}
  virtual ~AsyncSearch() = default;

  // Queues the search on the pool and returns its promise. A nonzero token
  // registers it for cancelSearch(token) (an AbortSignal in src/).
  static Napi::Value start(Napi::Env env, std::unique_ptr<AsyncSearch> search, uint32_t token);

 protected:
  // How many pieces run() is called with, concurrently.
  virtual size_t parts() const { return 1; }
  // On a pool thread; throws arroy::Error to fail the promise.
  virtual void run(size_t part) = 0;
  // On the JS thread, once every part has run without error.
  virtual Napi::Value result(Napi::Env env) = 0;
  // For long parts to check between steps: cancelled, closed, or failed elsewhere.
  bool should_stop() const;

  // Released as soon as the last part has run (before the result reaches
  // JS), so an environment that ends waits only for running work.
  std::shared_ptr<const arroy::SearchTarget> target_;
  const bool keyed_;  // the index has string keys

 private:
  friend class SearchChannel;
  void run_part(size_t part);
  void fail(arroy::ErrorCode code, const std::string& message);
  void settle(Napi::Env env);

  std::shared_ptr<SearchChannel> channel_;
  napi_deferred deferred_ = nullptr;
  uint32_t token_ = 0;
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
  std::atomic<size_t> remaining_{0};
  std::atomic<bool> failed_{false};
  std::mutex error_mutex_;
  arroy::ErrorCode error_code_ = arroy::ErrorCode::Storage;
  std::string error_message_;
};

// One per JS environment (AddonData): the thread-safe function results come
// back through, referenced only while searches are outstanding so that an
// idle process or worker can exit.
class SearchChannel : public std::enable_shared_from_this<SearchChannel> {
 public:
  static std::shared_ptr<SearchChannel> create(Napi::Env env);
  // cancelSearch(token): the search stops before its next step and its
  // promise rejects with ERR_ARROY_ABORTED.
  static Napi::Value Cancel(const Napi::CallbackInfo& info);

 private:
  friend class AsyncSearch;
  void submitted(napi_env env);
  void finished_running();  // from a pool thread, once a search let go of its target
  // The environment's end (a cleanup hook, after IndexHandle's closed its
  // indexes): waits for searches still running, which then stop early, so
  // that no file stays open behind a terminated worker.
  static void environment_ended(void* data);
  void deliver(AsyncSearch* search);  // from a pool thread
  static void call_js(napi_env env, napi_value, void* context, void* data);
  static void finalize(napi_env env, void* data, void* hint);

  std::mutex mutex_;  // guards tsfn_ against the environment's end
  napi_threadsafe_function tsfn_ = nullptr;
  // JS thread only:
  size_t outstanding_ = 0;
  std::unordered_map<uint32_t, std::shared_ptr<std::atomic<bool>>> cancels_;
  std::shared_ptr<SearchChannel>* self_ = nullptr;  // the tsfn's context, freed by finalize
  std::shared_ptr<SearchChannel>* hook_self_ = nullptr;  // the cleanup hook's, freed by it
  std::mutex running_mutex_;
  std::condition_variable idle_;
  size_t running_ = 0;  // searches holding a target
};

}  // namespace arroy_binding
