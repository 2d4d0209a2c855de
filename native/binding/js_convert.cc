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
  // Encoded here rather than by Utf8Value(), which turns a lone surrogate into
  // U+FFFD: 'x\uD800' and 'x\uDBFF' would then name the same item or file.
  const std::u16string units = value.As<Napi::String>().Utf16Value();
  std::string out;
  out.reserve(units.size());
  for (size_t i = 0; i < units.size(); i++) {
    uint32_t c = units[i];
    if (c >= 0xD800 && c <= 0xDFFF) {
      const bool paired = c <= 0xDBFF && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] <= 0xDFFF;
      if (!paired) throw_invalid(env, std::string(what) + " contains a lone UTF-16 surrogate, which UTF-8 cannot represent");
      c = 0x10000 + ((c - 0xD800) << 10) + (units[++i] - 0xDC00);
    }
    if (c < 0x80) {
      out.push_back(char(c));
    } else if (c < 0x800) {
      out.push_back(char(0xC0 | (c >> 6)));
      out.push_back(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(char(0xE0 | (c >> 12)));
      out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(char(0x80 | (c & 0x3F)));
    } else {
      out.push_back(char(0xF0 | (c >> 18)));
      out.push_back(char(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(char(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::string to_path(Napi::Env env, const Napi::Value& value) {
  std::string path = to_string(env, value, "path");
  if (path.empty()) throw_invalid(env, "path must be a non-empty string");
  if (path.find('\0') != std::string::npos) throw_invalid(env, "path must not contain a NUL character");
  return path;
}

Napi::Float32Array to_float32_array(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw_invalid(env, std::string(what) + " must be a Float32Array");
  }
  return value.As<Napi::Float32Array>();
}

}  // namespace arroy_binding
