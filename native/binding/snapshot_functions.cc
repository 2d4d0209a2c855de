#include "snapshot_functions.h"

#include <atomic>
#include <memory>
#include <optional>

#include "js_convert.h"
#include "js_errors.h"
#include "snapshot/snapshot_file.h"
#include "storage/environment.h"

namespace arroy_binding {

namespace {

class SnapshotWorker : public Napi::AsyncWorker {
 public:
  // With `index` set, the snapshot holds that index alone.
  SnapshotWorker(Napi::Env env, std::shared_ptr<arroy::Environment> environment, std::string destination,
                 bool compact, std::optional<std::string> index, std::shared_ptr<std::atomic<bool>> cancel)
      : Napi::AsyncWorker(env, "arroy-ts:snapshot"),
        deferred_(Napi::Promise::Deferred::New(env)),
        environment_(std::move(environment)),
        destination_(std::move(destination)),
        compact_(compact),
        index_(std::move(index)),
        cancel_(std::move(cancel)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      report_ = index_ ? arroy::write_index_snapshot(*environment_, *index_, destination_, cancel_.get())
                       : arroy::write_snapshot(*environment_, destination_, compact_, cancel_.get());
    } catch (const arroy::Error& e) {
      error_.reset(new arroy::Error(e));
    } catch (const std::exception& e) {
      error_.reset(new arroy::Error(arroy::ErrorCode::Storage, e.what()));
    }
    environment_.reset();  // the file may close now, on this thread, with no JS waiting on it
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (error_) {
      deferred_.Reject(to_js_error(env, *error_).Value());
      return;
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("bytes", Napi::Number::New(env, double(report_.bytes)));
    out.Set("sourceBytes", Napi::Number::New(env, double(report_.source_bytes)));
    out.Set("crc", Napi::Number::New(env, report_.crc));
    deferred_.Resolve(out);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<arroy::Environment> environment_;
  std::string destination_;
  bool compact_;
  std::optional<std::string> index_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  arroy::SnapshotReport report_;
  std::unique_ptr<arroy::Error> error_;
};

}  // namespace

Napi::Value Snapshot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    std::string path = to_path(env, info[0]);
    arroy::EnvironmentOptions options;
    if (info[1].IsObject()) {
      Napi::Object o = info[1].As<Napi::Object>();
      if (has_option(o, "readOnly")) options.read_only = o.Get("readOnly").ToBoolean();
      if (has_option(o, "mapSize")) options.map_size = to_u53(env, o.Get("mapSize"), "mapSize");
    }
    std::string destination = to_path(env, info[2]);
    bool compact = info[3].ToBoolean();
    std::optional<std::string> index;
    if (info[4].IsString()) index = info[4].As<Napi::String>().Utf8Value();
    // Opened here, on the JS thread, so that a bad path throws at once.
    auto environment = arroy::Environment::open(path, options);
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    auto* worker = new SnapshotWorker(env, std::move(environment), std::move(destination), compact, std::move(index), cancel);
    Napi::Object out = Napi::Object::New(env);
    out.Set("promise", worker->promise());
    out.Set("cancel", Napi::Function::New(env, [cancel](const Napi::CallbackInfo& call) {
              cancel->store(true);
              return call.Env().Undefined();
            }));
    worker->Queue();
    return out;
  });
}

}  // namespace arroy_binding
