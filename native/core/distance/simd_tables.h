// Internal to the distance code: how dispatch.cc finds the per-ISA kernel
// tables (and tests, the override). Not part of the core's public surface.
#pragma once

#include <vector>

#include "distance/kernels.h"

namespace arroy {
namespace detail {

// Appends the SIMD kernel tables of this build that the running CPU can
// execute, slowest first. Defined by distance_x86.cc on x86-64, by
// distance_neon.cc on aarch64, and as a no-op by dispatch.cc elsewhere.
void append_simd_kernels(std::vector<const Kernels*>* out);

// The table active_kernels() picks from `supported` (scalar first, fastest
// last): the one named `requested` (the value of ARROY_SIMD, may be null) if
// present, else the last one. Exposed so tests can exercise the override.
const Kernels* select_kernels(const std::vector<const Kernels*>& supported, const char* requested);

}  // namespace detail
}  // namespace arroy
