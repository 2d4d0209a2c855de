#include "build_worker.h"

#include "index_handle.h"
#include "js_errors.h"

namespace arroy_binding {

struct BuildWorker::Message {
  bool done = false;
  ProgressSnapshot progress{};
};

BuildWorker::BuildWorker(Napi::Env env, std::vector<BuildParticipant> participants, bool single,
                         std::shared_ptr<arroy::BuildMonitor> monitor, Napi::Function on_progress)
    : env_(env),
      deferred_(Napi::Promise::Deferred::New(env)),
      participants_(std::move(participants)),
      single_(single),
      monitor_(std::move(monitor)) {
  if (!on_progress.IsEmpty()) on_progress_ = Napi::Persistent(on_progress);
}

void BuildWorker::Queue() {
  Napi::String name = Napi::String::New(env_, "arroy-ts:build");
  // No JS function: call_js does the work. Unlimited queue, so the build
  // thread never blocks on a busy JS thread. One thread (the build's).
  napi_status status = napi_create_threadsafe_function(env_, nullptr, nullptr, name, 0, 1, this, &BuildWorker::finalize,
                                                       this, &BuildWorker::call_js, &tsfn_);
  if (status != napi_ok) NAPI_THROW_VOID(Napi::Error::New(env_, "cannot start a build"));
  thread_ = std::thread([this] { run(); });
}

void BuildWorker::post(Message* message) {
  if (tsfn_closing_) {
    delete message;
    return;
  }
  if (napi_call_threadsafe_function(tsfn_, message, napi_tsfn_nonblocking) != napi_ok) {
    delete message;
    tsfn_closing_ = true;  // the JS environment is ending; finalize() will join this thread
  }
}

void BuildWorker::run() {
  monitor_->on_tick = [this]() {
    auto* message = new Message();
    message->progress = {monitor_->phase.load(), double(monitor_->done.load()), double(monitor_->total.load())};
    post(message);
  };
  try {
    if (participants_.size() == 1) {
      reports_.push_back(participants_[0].job->run(*monitor_));
    } else {
      std::vector<arroy::BuildJob*> jobs;
      for (BuildParticipant& p : participants_) jobs.push_back(p.job.get());
      reports_ = arroy::run_together(jobs, *monitor_);
    }
  } catch (const arroy::Error& e) {
    failed_ = true;
    error_code_ = e.code();
    error_message_ = e.what();
  } catch (const std::exception& e) {
    failed_ = true;
    error_message_ = e.what();
  }
  monitor_->on_tick = nullptr;
  for (BuildParticipant& p : participants_) p.job->release_environment();
  auto* done = new Message();
  done->done = true;
  post(done);
  if (!tsfn_closing_) napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
}

// On the JS thread, for each message; env is null when the function is being
// torn down with messages still queued.
void BuildWorker::call_js(napi_env env, napi_value, void* context, void* data) {
  std::unique_ptr<Message> message(static_cast<Message*>(data));
  if (!env || !message) return;
  auto* worker = static_cast<BuildWorker*>(context);
  Napi::Env js(env);
  try {
    if (message->done) {
      worker->settle(js);
    } else {
      worker->report_progress(js, *message);
    }
  } catch (const Napi::Error&) {
    // Nothing can be thrown from here; settle() and report_progress() only
    // fail when the environment is ending.
  }
}

void BuildWorker::report_progress(Napi::Env env, const Message& message) {
  if (on_progress_.IsEmpty() || settled_) return;
  Napi::HandleScope scope(env);
  const ProgressSnapshot& last = message.progress;
  Napi::Object event = Napi::Object::New(env);
  event.Set("phase", Napi::String::New(env, arroy::build_phase_name(static_cast<arroy::BuildPhase>(last.phase))));
  event.Set("done", Napi::Number::New(env, last.done));
  event.Set("total", Napi::Number::New(env, last.total));
  // src/ passes a wrapper that never throws (it turns a throwing user
  // callback into a cancelled build); this catch only keeps a C++ exception
  // from unwinding further if the binding is called directly.
  try {
    on_progress_.Call({event});
  } catch (const Napi::Error&) {
    monitor_->cancelled = true;
  }
}

void BuildWorker::settle(Napi::Env env) {
  if (settled_) return;
  settled_ = true;
  Napi::HandleScope scope(env);
  for (BuildParticipant& p : participants_) p.owner->build_finished(failed_ ? p.job.get() : nullptr);
  if (failed_) {
    deferred_.Reject(to_js_error(env, arroy::Error(error_code_, error_message_)).Value());
    return;
  }
  Napi::Array results = Napi::Array::New(env, reports_.size());
  for (size_t i = 0; i < reports_.size(); i++) {
    Napi::Object result = Napi::Object::New(env);
    result.Set("items", Napi::Number::New(env, reports_[i].items));
    result.Set("trees", Napi::Number::New(env, reports_[i].trees));
    result.Set("nodes", Napi::Number::New(env, double(reports_[i].nodes)));
    result.Set("incremental", Napi::Boolean::New(env, reports_[i].incremental));
    result.Set("graph", Napi::Boolean::New(env, reports_[i].graph));
    results[static_cast<uint32_t>(i)] = result;
  }
  if (single_) {
    deferred_.Resolve(results.Get(0u));
  } else {
    deferred_.Resolve(results);
  }
}

// On the JS thread, once the thread-safe function is gone: after the build
// thread released it (its last message delivered), or when the environment
// ends (a worker_thread terminated), in which case the build is cancelled
// here. Either way the thread is joined before anything it uses is freed.
void BuildWorker::finalize(napi_env env, void* data, void*) {
  auto* worker = static_cast<BuildWorker*>(data);
  if (!worker->settled_) worker->monitor_->cancelled = true;
  if (worker->thread_.joinable()) worker->thread_.join();
  delete worker;
}

}  // namespace arroy_binding
