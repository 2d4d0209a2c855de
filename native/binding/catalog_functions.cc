#include "catalog_functions.h"

#include "catalog.h"
#include "js_convert.h"
#include "js_errors.h"
#include "storage/environment.h"

namespace arroy_binding {

namespace {

arroy::EnvironmentOptions environment_options(Napi::Env env, const Napi::Value& value) {
  arroy::EnvironmentOptions options;
  if (!value.IsObject()) return options;
  Napi::Object o = value.As<Napi::Object>();
  if (has_option(o, "readOnly")) options.read_only = o.Get("readOnly").ToBoolean();
  if (has_option(o, "mapSize")) options.map_size = to_u53(env, o.Get("mapSize"), "mapSize");
  if (has_option(o, "verify")) options.verify = o.Get("verify").ToBoolean();
  return options;
}

}  // namespace

Napi::Value ListIndexes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    auto environment = arroy::Environment::open(to_path(env, info[0]), environment_options(env, info[1]));
    std::vector<std::string> names = arroy::list_indexes(environment);
    Napi::Array out = Napi::Array::New(env, names.size());
    for (size_t i = 0; i < names.size(); i++) out[static_cast<uint32_t>(i)] = Napi::String::New(env, names[i]);
    return out;
  });
}

Napi::Value DropIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    std::string path = to_path(env, info[0]);
    std::string name = to_string(env, info[2], "name");
    auto environment = arroy::Environment::open(path, environment_options(env, info[1]));
    return Napi::Boolean::New(env, arroy::drop_index(environment, name));
  });
}

}  // namespace arroy_binding
