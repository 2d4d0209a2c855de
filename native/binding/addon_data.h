// What the addon keeps per JS environment (the main thread and each
// worker_thread load it separately): the classes it instantiates from C++.
#pragma once

#include <napi.h>

#include <memory>

#include "async_search.h"

namespace arroy_binding {

struct AddonData {
  Napi::FunctionReference index_handle;  // IndexHandle, for buildTogether's instanceof check
  Napi::FunctionReference error_class;   // ArroyError (src/errors.ts), once setErrorClass ran
  std::shared_ptr<SearchChannel> searches;  // where async searches settle their promises

  static AddonData& of(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
};

}  // namespace arroy_binding
