// Runs builds on a libuv worker thread and settles a Promise: one index's
// build, or several indexes of one file built in one write transaction.
// Progress snapshots travel back to the JS thread through the worker's queue.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "errors.h"
#include "index.h"

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

class BuildWorker : public Napi::AsyncProgressWorker<ProgressSnapshot> {
 public:
  // With `single`, the promise resolves to one report; otherwise to an array.
  BuildWorker(Napi::Env env, std::vector<BuildParticipant> participants, bool single,
              std::shared_ptr<arroy::BuildMonitor> monitor, Napi::Function on_progress);
  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute(const ExecutionProgress& progress) override;
  void OnProgress(const ProgressSnapshot* data, size_t count) override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  void finish_participants(bool failed);

  Napi::Promise::Deferred deferred_;
  std::vector<BuildParticipant> participants_;
  bool single_;
  Napi::FunctionReference on_progress_;
  std::shared_ptr<arroy::BuildMonitor> monitor_;
  std::vector<arroy::BuildReport> reports_;
  bool failed_ = false;
  arroy::ErrorCode error_code_ = arroy::ErrorCode::Storage;
  std::string error_message_;
};

}  // namespace arroy_binding
