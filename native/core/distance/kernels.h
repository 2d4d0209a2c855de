// The SIMD kernels behind every distance: one table of the three primitive
// reductions per instruction set (kernels_scalar.cc, kernels_x86.cc,
// kernels_neon.cc), the fastest chosen at run time (dispatch.cc).
//
// Stored vectors are read in place from LMDB's memory map, where a value is
// only 2-byte aligned, so every kernel takes `const void*` and loads with
// unaligned loads (memcpy in scalar code, loadu in SIMD code): dereferencing a
// misaligned float* would be undefined behaviour.
#pragma once

#include <cstddef>
#include <vector>

namespace arroy {

// One implementation of the three primitive reductions over n floats.
struct Kernels {
  const char* name;  // "scalar", "avx2", "avx512", "neon"
  float (*dot)(const void* a, const void* b, size_t n);
  float (*l2_squared)(const void* a, const void* b, size_t n);
  float (*l1)(const void* a, const void* b, size_t n);
};

// The portable reference implementation.
const Kernels& scalar_kernels();

// Every implementation this CPU can run, scalar first. Used by tests and benchmarks.
std::vector<const Kernels*> supported_kernels();

// The fastest supported implementation, chosen once by CPU detection on first
// use. ARROY_SIMD=<name> in the environment forces one (e.g. "scalar") when it
// is supported, which is how a user rules out a kernel bug.
const Kernels& active_kernels();

}  // namespace arroy
