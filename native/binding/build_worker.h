// Runs an arroy::BuildJob on a libuv worker thread and settles a Promise.
// Progress snapshots travel back to the JS thread through the worker's queue.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "errors.h"
#include "index.h"

namespace arroy_binding {

class IndexHandle;

struct ProgressSnapshot {
  int phase;
  double done, total;
};

class BuildWorker : public Napi::AsyncProgressWorker<ProgressSnapshot> {
 public:
  BuildWorker(Napi::Env env, IndexHandle* owner, Napi::Object owner_object, std::unique_ptr<arroy::BuildJob> job,
              std::shared_ptr<arroy::BuildMonitor> monitor, Napi::Function on_progress);
  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute(const ExecutionProgress& progress) override;
  void OnProgress(const ProgressSnapshot* data, size_t count) override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  Napi::Promise::Deferred deferred_;
  IndexHandle* owner_;
  Napi::ObjectReference owner_ref_;  // keeps the handle alive while the build runs
  Napi::FunctionReference on_progress_;
  std::unique_ptr<arroy::BuildJob> job_;
  std::shared_ptr<arroy::BuildMonitor> monitor_;
  arroy::BuildReport report_;
  bool failed_ = false;
  arroy::ErrorCode error_code_ = arroy::ErrorCode::Storage;
  std::string error_message_;
};

}  // namespace arroy_binding
