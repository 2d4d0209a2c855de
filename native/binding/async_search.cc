#include "async_search.h"

#include "addon_data.h"
#include "js_errors.h"
#include "search/search_pool.h"

namespace arroy_binding {

// ------------------------------------------------------------ AsyncSearch

Napi::Value AsyncSearch::start(Napi::Env env, std::unique_ptr<AsyncSearch> search, uint32_t token) {
  std::shared_ptr<SearchChannel> channel = AddonData::of(env).searches;
  napi_value promise;
  if (napi_create_promise(env, &search->deferred_, &promise) != napi_ok) {
    throw Napi::Error::New(env, "cannot create a promise");
  }
  search->channel_ = channel;
  search->token_ = token;
  if (token) channel->cancels_[token] = search->cancelled_;
  channel->submitted(env);
  const size_t parts = search->parts();
  search->remaining_ = parts;
  AsyncSearch* raw = search.release();  // deleted by the channel once settled (or dropped)
  for (size_t part = 0; part < parts; part++) {
    arroy::run_on_search_pool([raw, part] { raw->run_part(part); });
  }
  return Napi::Value(env, promise);
}

bool AsyncSearch::should_stop() const {
  return failed_.load(std::memory_order_relaxed) || cancelled_->load(std::memory_order_relaxed) || target_->closed();
}

void AsyncSearch::fail(arroy::ErrorCode code, const std::string& message) {
  std::lock_guard<std::mutex> lock(error_mutex_);
  if (failed_.exchange(true)) return;  // the first failure is the one reported
  error_code_ = code;
  error_message_ = message;
}

void AsyncSearch::run_part(size_t part) {
  if (cancelled_->load()) {
    fail(arroy::ErrorCode::Aborted, "the search was aborted");
  } else if (target_->closed()) {
    fail(arroy::ErrorCode::Closed, "the index was closed before the search ran");
  } else if (!failed_.load()) {
    try {
      run(part);
      if (cancelled_->load()) fail(arroy::ErrorCode::Aborted, "the search was aborted");
    } catch (const arroy::Error& e) {
      fail(e.code(), e.what());
    } catch (const std::bad_alloc&) {
      fail(arroy::ErrorCode::Storage, "out of memory");
    } catch (const std::exception& e) {
      fail(arroy::ErrorCode::Storage, e.what());
    }
  }
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    target_.reset();
    channel_->finished_running();
    channel_->deliver(this);
  }
}

void AsyncSearch::settle(Napi::Env env) {
  Napi::HandleScope scope(env);
  napi_value value;
  if (failed_) {
    value = to_js_error(env, arroy::Error(error_code_, error_message_)).Value();
    napi_reject_deferred(env, deferred_, value);
    return;
  }
  try {
    value = result(env);
  } catch (const Napi::Error& e) {
    napi_reject_deferred(env, deferred_, e.Value());
    return;
  }
  napi_resolve_deferred(env, deferred_, value);
}

// ---------------------------------------------------------- SearchChannel

std::shared_ptr<SearchChannel> SearchChannel::create(Napi::Env env) {
  auto channel = std::make_shared<SearchChannel>();
  channel->self_ = new std::shared_ptr<SearchChannel>(channel);
  Napi::String name = Napi::String::New(env, "arroy-ts:search");
  // Unlimited queue (a pool thread never blocks on a busy JS thread), one
  // owner that never releases it: the environment's end closes it.
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, channel->self_, &SearchChannel::finalize,
                                      channel->self_, &SearchChannel::call_js, &channel->tsfn_) != napi_ok) {
    delete channel->self_;
    throw Napi::Error::New(env, "cannot create the search channel");
  }
  napi_unref_threadsafe_function(env, channel->tsfn_);
  channel->hook_self_ = new std::shared_ptr<SearchChannel>(channel);
  napi_add_env_cleanup_hook(env, &SearchChannel::environment_ended, channel->hook_self_);
  return channel;
}

void SearchChannel::submitted(napi_env env) {
  if (outstanding_++ == 0) napi_ref_threadsafe_function(env, tsfn_);
  std::lock_guard<std::mutex> lock(running_mutex_);
  running_++;
}

void SearchChannel::finished_running() {
  std::lock_guard<std::mutex> lock(running_mutex_);
  if (--running_ == 0) idle_.notify_all();
}

void SearchChannel::environment_ended(void* data) {
  std::unique_ptr<std::shared_ptr<SearchChannel>> self(static_cast<std::shared_ptr<SearchChannel>*>(data));
  SearchChannel& channel = **self;
  std::unique_lock<std::mutex> lock(channel.running_mutex_);
  channel.idle_.wait(lock, [&] { return channel.running_ == 0; });
}

void SearchChannel::deliver(AsyncSearch* search) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (tsfn_ && napi_call_threadsafe_function(tsfn_, search, napi_tsfn_nonblocking) == napi_ok) return;
  delete search;  // the environment is ending: nobody waits for this promise
}

void SearchChannel::call_js(napi_env env, napi_value, void* context, void* data) {
  std::unique_ptr<AsyncSearch> search(static_cast<AsyncSearch*>(data));
  if (!env || !search) return;
  SearchChannel& channel = **static_cast<std::shared_ptr<SearchChannel>*>(context);
  if (search->token_) channel.cancels_.erase(search->token_);
  if (--channel.outstanding_ == 0) napi_unref_threadsafe_function(env, channel.tsfn_);
  try {
    search->settle(Napi::Env(env));
  } catch (const Napi::Error&) {
    // Only when the environment is ending; nothing can be thrown from here.
  }
}

void SearchChannel::finalize(napi_env, void* data, void*) {
  auto* self = static_cast<std::shared_ptr<SearchChannel>*>(data);
  {
    std::lock_guard<std::mutex> lock((*self)->mutex_);
    (*self)->tsfn_ = nullptr;
  }
  delete self;
}

Napi::Value SearchChannel::Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw_invalid(env, "cancelSearch takes a token");
  SearchChannel& channel = *AddonData::of(env).searches;
  auto found = channel.cancels_.find(info[0].As<Napi::Number>().Uint32Value());
  if (found != channel.cancels_.end()) found->second->store(true);
  return env.Undefined();
}

}  // namespace arroy_binding
