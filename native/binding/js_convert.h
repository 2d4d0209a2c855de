// Conversions of JS arguments to the core's C++ types. They check types and
// representability only (an integer that fits, a Float32Array); what values
// make sense is the core's to check.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace arroy_binding {

// Presence of an option: set and neither undefined nor null.
bool has_option(const Napi::Object& options, const char* key);
// An integer from 0 to 2^32 - 1 (ids, counts, dimensions).
uint32_t to_u32(Napi::Env env, const Napi::Value& value, const char* what);
// A non-negative integer up to 2^53 - 1 (searchK, mapSize, ids to seek from).
uint64_t to_u53(Napi::Env env, const Napi::Value& value, const char* what);
// A number or bigint from 0 to 2^64 - 1 held losslessly (seeds).
uint64_t to_u64(Napi::Env env, const Napi::Value& value, const char* what);
// A string as UTF-8; a lone surrogate (not representable) is refused.
std::string to_string(Napi::Env env, const Napi::Value& value, const char* what);
// A number of any value (the core checks the range it accepts).
double to_double(Napi::Env env, const Napi::Value& value, const char* what);
// A file path: a non-empty string without NUL (which would cut it short).
std::string to_path(Napi::Env env, const Napi::Value& value);
Napi::Float32Array to_float32_array(Napi::Env env, const Napi::Value& value, const char* what);

}  // namespace arroy_binding
