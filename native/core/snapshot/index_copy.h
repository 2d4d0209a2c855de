// A new arroy-ts file holding one index of another: what index.snapshot()
// ships from a file of several indexes, so that a function serving one of
// them does not carry the others.
#pragma once

#include <atomic>
#include <string>

namespace arroy {

class Environment;

// Writes into the empty file at `path` an arroy-ts file whose only index is
// `name` of env, as one read snapshot of env holds it: the file header, a
// catalog of that one entry (under the same IndexId), the index's metadata
// and free list, and every record of its databases, copied verbatim in key
// order (MDB_APPEND, so pages are filled and nothing is free). Throws
// NotAnIndex when env has no such index, Aborted when `cancel` is set
// between batches.
void copy_index(Environment& env, const std::string& name, const std::string& path, const std::atomic<bool>* cancel);

}  // namespace arroy
