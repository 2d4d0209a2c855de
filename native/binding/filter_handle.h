// The JS class behind `Filter` (src/filter.ts): an allowed set of ids or keys,
// resolved to slots once per snapshot by the core (arroy::AllowedSet).
#pragma once

#include <napi.h>

#include <memory>

#include "search/filter.h"

namespace arroy_binding {

class FilterHandle : public Napi::ObjectWrap<FilterHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  // new FilterHandle(ids: Uint32Array, keys?: string[])
  explicit FilterHandle(const Napi::CallbackInfo& info);

  // The allowed set behind `value`, or null for undefined; throws a typed
  // error for anything that is not a FilterHandle. Shared, so an async
  // search keeps it alive after the Filter object is collected.
  static std::shared_ptr<arroy::AllowedSet> from(Napi::Env env, const Napi::Value& value);

 private:
  Napi::Value Size(const Napi::CallbackInfo& info);

  std::shared_ptr<arroy::AllowedSet> allowed_;
};

}  // namespace arroy_binding
