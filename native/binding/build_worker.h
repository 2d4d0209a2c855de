// Runs builds on a thread of their own and settles a Promise: one index's
// build, or several indexes of one file built in one write transaction.
// Progress and the result travel back to the JS thread through a
// thread-safe function.
//
// Why not a napi async work: Node tears down an ending worker_thread only
// after its async work has finished, so a build there would run to its end
// (and commit) before terminate() returned. A thread-safe function is closed
// at teardown instead, and its finalizer, on the JS thread, cancels the
// build and joins its thread: terminate() waits only for the build to notice.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "errors.h"
#include "forest/build_job.h"

namespace arroy_binding {

class IndexHandle;

struct ProgressSnapshot {
  int phase;
  double done, total;
};

// One index taking part in a build.
struct BuildParticipant {
  IndexHandle* owner;
  Napi::ObjectReference owner_ref;  // keeps the handle alive while the build runs
  std::unique_ptr<arroy::BuildJob> job;
};

class BuildWorker {
 public:
  // With `single`, the promise resolves to one report; otherwise to an array.
  BuildWorker(Napi::Env env, std::vector<BuildParticipant> participants, bool single,
              std::shared_ptr<arroy::BuildMonitor> monitor, Napi::Function on_progress);
  Napi::Promise promise() const { return deferred_.Promise(); }
  // Starts the build thread; the worker deletes itself once it is over.
  void Queue();

 private:
  struct Message;
  void run();
  void post(Message* message);
  void report_progress(Napi::Env env, const Message& message);
  void settle(Napi::Env env);
  static void call_js(napi_env env, napi_value, void* context, void* data);
  static void finalize(napi_env env, void* data, void* hint);

  Napi::Env env_;
  Napi::Promise::Deferred deferred_;
  std::vector<BuildParticipant> participants_;
  bool single_;
  Napi::FunctionReference on_progress_;
  std::shared_ptr<arroy::BuildMonitor> monitor_;
  napi_threadsafe_function tsfn_ = nullptr;
  bool tsfn_closing_ = false;  // the build thread saw napi_closing: it must not touch tsfn_ again
  std::thread thread_;
  bool settled_ = false;       // the promise was settled (on the JS thread)
  std::vector<arroy::BuildReport> reports_;
  bool failed_ = false;
  arroy::ErrorCode error_code_ = arroy::ErrorCode::Storage;
  std::string error_message_;
};

}  // namespace arroy_binding
