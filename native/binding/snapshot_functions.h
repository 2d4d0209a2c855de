// The snapshot functions behind Index.snapshot, Database.snapshot and the
// verified opens (arroy::write_snapshot, arroy::verify_snapshot).
#pragma once

#include <napi.h>

namespace arroy_binding {

// snapshot(path, { readOnly?, mapSize? }, destination, compact)
//   -> { promise: Promise<{ bytes, sourceBytes, crc }>, cancel(): void }
// The copy and its checksum run on a worker thread of libuv's pool.
Napi::Value Snapshot(const Napi::CallbackInfo& info);
// verifySnapshot(path) -> undefined; throws as arroy::verify_snapshot does.
Napi::Value VerifySnapshot(const Napi::CallbackInfo& info);

}  // namespace arroy_binding
