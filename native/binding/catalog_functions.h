// The file-level functions behind src/database.ts: listing and dropping the
// named indexes of a file (arroy::list_indexes, arroy::drop_index).
#pragma once

#include <napi.h>

namespace arroy_binding {

// listIndexes(path, { readOnly?, mapSize?, verify? }) -> string[]
Napi::Value ListIndexes(const Napi::CallbackInfo& info);
// dropIndex(path, { mapSize? }, name) -> boolean
Napi::Value DropIndex(const Napi::CallbackInfo& info);

}  // namespace arroy_binding
