#include "js_errors.h"

#include <cmath>

#include "defaults.h"

namespace arroy_binding {

Napi::Error to_js_error(Napi::Env env, const arroy::Error& error) {
  Napi::Error js = error.code() == arroy::ErrorCode::InvalidArgument ? Napi::TypeError::New(env, error.what())
                                                                    : Napi::Error::New(env, error.what());
  js.Set("code", Napi::String::New(env, arroy::error_code_name(error.code())));
  return js;
}

void throw_invalid(Napi::Env env, const std::string& message) {
  throw to_js_error(env, arroy::Error(arroy::ErrorCode::InvalidArgument, message));
}

uint32_t to_uint32(Napi::Env env, const Napi::Value& value, const char* what, uint32_t min, uint32_t max) {
  if (!value.IsNumber()) throw_invalid(env, std::string(what) + " must be a number");
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= max) || std::floor(d) != d) {
    throw_invalid(env, std::string(what) + " must be an integer from " + std::to_string(min) + " to " +
                           std::to_string(max));
  }
  return static_cast<uint32_t>(d);
}

uint32_t to_item_id(Napi::Env env, const Napi::Value& value, const char* what) {
  return to_uint32(env, value, what, 0, 0xFFFFFFFFu);
}

Napi::Float32Array to_float32_array(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw_invalid(env, std::string(what) + " must be a Float32Array");
  }
  return value.As<Napi::Float32Array>();
}

uint64_t to_map_size(Napi::Env env, const Napi::Value& value) {
  if (value.IsUndefined() || value.IsNull()) return 0;
  double d = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= double(arroy::kMinMapSize) && d <= double(arroy::kMaxMapSize)) || std::floor(d) != d) {
    throw_invalid(env, "mapSize must be an integer number of bytes from " + std::to_string(arroy::kMinMapSize) +
                           " to " + std::to_string(arroy::kMaxMapSize));
  }
  return static_cast<uint64_t>(d);
}

}  // namespace arroy_binding
