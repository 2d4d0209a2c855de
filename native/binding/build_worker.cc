#include "build_worker.h"

#include "index_handle.h"
#include "js_errors.h"

namespace arroy_binding {

BuildWorker::BuildWorker(Napi::Env env, std::vector<BuildParticipant> participants, bool single,
                         std::shared_ptr<arroy::BuildMonitor> monitor, Napi::Function on_progress)
    : Napi::AsyncProgressWorker<ProgressSnapshot>(env, "arroy-ts:build"),
      deferred_(Napi::Promise::Deferred::New(env)),
      participants_(std::move(participants)),
      single_(single),
      monitor_(std::move(monitor)) {
  if (!on_progress.IsEmpty()) on_progress_ = Napi::Persistent(on_progress);
}

void BuildWorker::Execute(const ExecutionProgress& progress) {
  monitor_->on_tick = [this, &progress]() {
    ProgressSnapshot snapshot{monitor_->phase.load(), double(monitor_->done.load()), double(monitor_->total.load())};
    progress.Send(&snapshot, 1);
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
  // src/ passes a wrapper that never throws (it turns a throwing user
  // callback into a cancelled build); this catch only keeps a C++ exception
  // from unwinding into libuv if the binding is called directly.
  try {
    on_progress_.Call({event});
  } catch (const Napi::Error&) {
    monitor_->cancelled = true;
  }
}

void BuildWorker::finish_participants(bool failed) {
  for (BuildParticipant& p : participants_) p.owner->build_finished(failed ? p.job.get() : nullptr);
}

void BuildWorker::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  finish_participants(failed_);
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
    results[static_cast<uint32_t>(i)] = result;
  }
  if (single_) {
    deferred_.Resolve(results.Get(0u));
  } else {
    deferred_.Resolve(results);
  }
}

void BuildWorker::OnError(const Napi::Error& error) {
  finish_participants(true);
  deferred_.Reject(error.Value());
}

}  // namespace arroy_binding
