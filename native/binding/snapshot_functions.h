// The snapshot function behind Index.snapshot and Database.snapshot
// (arroy::write_snapshot). Verified opens go through the ordinary opens,
// with `verify` among their options.
#pragma once

#include <napi.h>

namespace arroy_binding {

// snapshot(path, { readOnly?, mapSize? }, destination, compact, index?)
//   -> { promise: Promise<{ bytes, sourceBytes, crc }>, cancel(): void }
// With `index` (a name), the snapshot holds that index alone. The copy and
// its checksum run on a worker thread of libuv's pool.
Napi::Value Snapshot(const Napi::CallbackInfo& info);

}  // namespace arroy_binding
