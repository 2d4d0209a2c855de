#include "build_worker.h"

#include "index_handle.h"
#include "js_errors.h"

namespace arroy_binding {

BuildWorker::BuildWorker(Napi::Env env, IndexHandle* owner, Napi::Object owner_object,
                         std::unique_ptr<arroy::BuildJob> job, std::shared_ptr<arroy::BuildMonitor> monitor,
                         Napi::Function on_progress)
    : Napi::AsyncProgressWorker<ProgressSnapshot>(env, "arroy-ts:build"),
      deferred_(Napi::Promise::Deferred::New(env)),
      owner_(owner),
      owner_ref_(Napi::Persistent(owner_object)),
      job_(std::move(job)),
      monitor_(std::move(monitor)) {
  if (!on_progress.IsEmpty()) on_progress_ = Napi::Persistent(on_progress);
}

void BuildWorker::Execute(const ExecutionProgress& progress) {
  monitor_->on_tick = [this, &progress]() {
    ProgressSnapshot snapshot{monitor_->phase.load(), double(monitor_->done.load()), double(monitor_->total.load())};
    progress.Send(&snapshot, 1);
  };
  try {
    report_ = job_->run(*monitor_);
  } catch (const arroy::Error& e) {
    failed_ = true;
    error_code_ = e.code();
    error_message_ = e.what();
  } catch (const std::exception& e) {
    failed_ = true;
    error_message_ = e.what();
  }
  monitor_->on_tick = nullptr;
}

void BuildWorker::OnProgress(const ProgressSnapshot* data, size_t count) {
  if (on_progress_.IsEmpty() || count == 0) return;
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  const ProgressSnapshot& last = data[count - 1];
  Napi::Object event = Napi::Object::New(env);
  static const char* phases[] = {"applying", "trees", "writing"};
  event.Set("phase", Napi::String::New(env, phases[last.phase < 0 || last.phase > 2 ? 0 : last.phase]));
  event.Set("done", Napi::Number::New(env, last.done));
  event.Set("total", Napi::Number::New(env, last.total));
  // src/index.ts passes a wrapper that never throws (it turns a throwing user
  // callback into a cancelled build); this catch only keeps a C++ exception
  // from unwinding into libuv if the binding is called directly.
  try {
    on_progress_.Call({event});
  } catch (const Napi::Error&) {
    monitor_->cancelled = true;
  }
}

void BuildWorker::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  owner_->build_finished(failed_ ? &job_->changes() : nullptr);
  if (failed_) {
    deferred_.Reject(to_js_error(env, arroy::Error(error_code_, error_message_)).Value());
    return;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("items", Napi::Number::New(env, report_.items));
  result.Set("trees", Napi::Number::New(env, report_.trees));
  result.Set("nodes", Napi::Number::New(env, double(report_.nodes)));
  result.Set("incremental", Napi::Boolean::New(env, report_.incremental));
  deferred_.Resolve(result);
}

void BuildWorker::OnError(const Napi::Error& error) {
  owner_->build_finished(&job_->changes());
  deferred_.Reject(error.Value());
}

}  // namespace arroy_binding
