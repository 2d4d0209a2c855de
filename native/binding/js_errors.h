// Turns core failures into JS errors that carry a `code` property, so that no
// C++ exception ever escapes into Node (which would abort the process).
#pragma once

#include <napi.h>

#include <string>

#include "errors.h"  // the core's

namespace arroy_binding {

Napi::Error to_js_error(Napi::Env env, const arroy::Error& error);

// Runs body; any core or standard exception becomes a thrown JS error.
template <typename Body>
auto guard(Napi::Env env, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const arroy::Error& e) {
    throw to_js_error(env, e);
  } catch (const std::bad_alloc&) {
    throw to_js_error(env, arroy::Error(arroy::ErrorCode::Storage, "out of memory"));
  } catch (const std::exception& e) {
    throw to_js_error(env, arroy::Error(arroy::ErrorCode::Storage, e.what()));
  }
}

// Argument checks shared by every method; they throw a TypeError/RangeError
// with code ERR_ARROY_INVALID_ARGUMENT.
[[noreturn]] void throw_invalid(Napi::Env env, const std::string& message);
uint32_t to_item_id(Napi::Env env, const Napi::Value& value, const char* what);
uint32_t to_uint32(Napi::Env env, const Napi::Value& value, const char* what, uint32_t min, uint32_t max);
Napi::Float32Array to_float32_array(Napi::Env env, const Napi::Value& value, const char* what);
// mapSize: an integer number of bytes from kMinMapSize to kMaxMapSize;
// undefined or null gives 0 (the default).
uint64_t to_map_size(Napi::Env env, const Napi::Value& value);

}  // namespace arroy_binding
