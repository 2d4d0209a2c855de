// Turns core failures into thrown JS errors, so that no C++ exception ever
// escapes into Node (which would abort the process). The errors are
// ArroyError objects (src/errors.ts registers the class once with
// setErrorClass), so the TypeScript layer passes them through untouched.
#pragma once

#include <napi.h>

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "errors.h"  // the core's
#include "storage/fault_guard.h"

namespace arroy_binding {

// setErrorClass(ArroyError): the class every thrown error is made of.
Napi::Value SetErrorClass(const Napi::CallbackInfo& info);

// new ArroyError(code, message), or a plain Error with a `code` property when
// no class is registered (the binding loaded on its own) or JS cannot run.
Napi::Error to_js_error(Napi::Env env, const arroy::Error& error);

// A read of a memory map faulted during the call (the file shrank under
// it): what it returns may hold zeros where the file had gone.
inline void check_no_map_fault(Napi::Env env, uint64_t faults_before) {
  if (arroy::map_faults_on_this_thread() != faults_before) {
    throw to_js_error(env, arroy::Error(arroy::ErrorCode::Corrupt,
                                        "the file changed under this process (it shrank or was rewritten in place): "
                                        "close and reopen it"));
  }
}

// Runs body; any core or standard exception becomes a thrown JS error.
template <typename Body>
auto guard(Napi::Env env, Body&& body) -> decltype(body()) {
  const uint64_t faults = arroy::map_faults_on_this_thread();
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      check_no_map_fault(env, faults);
    } else {
      auto result = body();
      check_no_map_fault(env, faults);
      return result;
    }
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

// Throws ERR_ARROY_INVALID_ARGUMENT with `message`.
[[noreturn]] void throw_invalid(Napi::Env env, const std::string& message);

}  // namespace arroy_binding
