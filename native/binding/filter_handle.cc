#include "filter_handle.h"

#include <string>
#include <vector>

#include "js_convert.h"
#include "js_errors.h"

namespace arroy_binding {

namespace {
// Marks FilterHandle objects, so that search() can tell one from any other
// object passed in its place (a wrong cast would read foreign memory).
constexpr napi_type_tag kFilterTag = {0x6172726f792d7473ull, 0x66696c7465720001ull};
}  // namespace

Napi::Function FilterHandle::Define(Napi::Env env) {
  return DefineClass(env, "FilterHandle", {InstanceMethod<&FilterHandle::Size>("size")});
}

FilterHandle::FilterHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FilterHandle>(info) {
  Napi::Env env = info.Env();
  guard(env, [&]() {
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
      throw_invalid(env, "filter ids must be a Uint32Array");
    }
    Napi::Uint32Array ids = info[0].As<Napi::Uint32Array>();
    std::vector<uint32_t> id_list(ids.Data(), ids.Data() + ids.ElementLength());
    std::vector<std::string> keys;
    if (!info[1].IsUndefined()) {
      if (!info[1].IsArray()) throw_invalid(env, "filter keys must be an array of strings");
      Napi::Array array = info[1].As<Napi::Array>();
      keys.reserve(array.Length());
      for (uint32_t i = 0; i < array.Length(); i++) {
        Napi::Value key = array.Get(i);
        keys.push_back(to_string(env, key, "a filter key"));
      }
    }
    allowed_ = std::make_unique<arroy::AllowedSet>(std::move(id_list), std::move(keys));
    info.This().As<Napi::Object>().TypeTag(&kFilterTag);
  });
}

arroy::AllowedSet* FilterHandle::from(Napi::Env env, const Napi::Value& value) {
  if (value.IsUndefined() || value.IsNull()) return nullptr;
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kFilterTag)) {
    throw_invalid(env, "filter must be a Filter");
  }
  FilterHandle* handle = Unwrap(value.As<Napi::Object>());
  if (!handle || !handle->allowed_) throw_invalid(env, "filter must be a Filter");
  return handle->allowed_.get();
}

Napi::Value FilterHandle::Size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(allowed_ ? allowed_->requested() : 0));
}

}  // namespace arroy_binding
