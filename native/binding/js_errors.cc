#include "js_errors.h"

#include "addon_data.h"

namespace arroy_binding {

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw_invalid(env, "setErrorClass takes a class");
  AddonData::of(env).error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

Napi::Error to_js_error(Napi::Env env, const arroy::Error& error) {
  Napi::String code = Napi::String::New(env, arroy::error_code_name(error.code()));
  Napi::String message = Napi::String::New(env, error.what());
  Napi::FunctionReference& cls = AddonData::of(env).error_class;
  if (!cls.IsEmpty()) {
    napi_value made = nullptr;
    napi_value args[] = {code, message};
    // Raw N-API: a failure (a worker_thread being torn down) must fall back,
    // not throw from inside the error path.
    if (napi_new_instance(env, cls.Value(), 2, args, &made) == napi_ok && made) return Napi::Error(env, made);
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
  }
  Napi::Error js = Napi::Error::New(env, error.what());
  js.Set("code", code);
  return js;
}

void throw_invalid(Napi::Env env, const std::string& message) {
  throw to_js_error(env, arroy::Error(arroy::ErrorCode::InvalidArgument, message));
}

}  // namespace arroy_binding
