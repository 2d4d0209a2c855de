#include "js_convert.h"

#include <cmath>

#include "js_errors.h"

namespace arroy_binding {

namespace {
constexpr double kMaxSafeInteger = 9007199254740991.0;

double to_integer(Napi::Env env, const Napi::Value& value, const char* what, double max) {
  if (!value.IsNumber()) throw_invalid(env, std::string(what) + " must be a number");
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= max) || std::floor(d) != d) {
    throw_invalid(env, std::string(what) + " must be an integer from 0 to " + std::to_string(uint64_t(max)));
  }
  return d;
}
}  // namespace

bool has_option(const Napi::Object& options, const char* key) {
  return options.Has(key) && !options.Get(key).IsUndefined() && !options.Get(key).IsNull();
}

uint32_t to_u32(Napi::Env env, const Napi::Value& value, const char* what) {
  return static_cast<uint32_t>(to_integer(env, value, what, 4294967295.0));
}

uint64_t to_u53(Napi::Env env, const Napi::Value& value, const char* what) {
  return static_cast<uint64_t>(to_integer(env, value, what, kMaxSafeInteger));
}

uint64_t to_u64(Napi::Env env, const Napi::Value& value, const char* what) {
  if (value.IsBigInt()) {
    bool lossless = false;
    uint64_t v = value.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw_invalid(env, std::string(what) + " must be a bigint from 0 to 2^64 - 1");
    return v;
  }
  return to_u53(env, value, what);
}

double to_double(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) throw_invalid(env, std::string(what) + " must be a number");
  return value.As<Napi::Number>().DoubleValue();
}

std::string to_string(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsString()) throw_invalid(env, std::string(what) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

Napi::Float32Array to_float32_array(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw_invalid(env, std::string(what) + " must be a Float32Array");
  }
  return value.As<Napi::Float32Array>();
}

}  // namespace arroy_binding
