// Survives reading a memory-mapped file that shrank or was rewritten under
// the process.
//
// A read past the end of a mapped file raises SIGBUS. LMDB and the core read
// the map directly, so a file truncated (or copied over in place) by someone
// else would kill the process. While a map is registered here, a SIGBUS or
// SIGSEGV inside it maps a page of zeros over the faulting page and lets the
// read go on: LMDB's page checks (native/patches/lmdb-robust.patch) reject a
// zero page (its number is 0), and the environment is marked damaged, so that
// call and every later call on it fail with ERR_ARROY_CORRUPT. The same holds
// for up to 192 KiB past the end of the map, where damaged node offsets in
// its last pages can point (a zero page is placed there only where nothing
// is mapped, and removed with the registration). No jump out of
// the signal handler: nothing is unwound, no destructor is skipped, no lock
// is left held. Faults anywhere else go to the handler that was installed
// before (Node's, or the default action).
#pragma once

#include <atomic>
#include <cstdint>

namespace arroy {

// Registers [begin, begin + bytes) as a map whose faults set *damaged. The
// handlers are installed (once, chained) on the first registration. `owner`
// names the registration for unguard_map. Up to 256 maps at a time; past
// that a map goes unguarded.
void guard_map(const void* owner, uintptr_t begin, uint64_t bytes, std::atomic<bool>* damaged);
void unguard_map(const void* owner);

// Faults in a guarded map on the calling thread so far: a call that sees
// this change while it ran read zeros where the file had gone.
uint64_t map_faults_on_this_thread();

}  // namespace arroy
