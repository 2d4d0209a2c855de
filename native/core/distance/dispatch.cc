// Which kernel table runs: the fastest this CPU supports, or the one named by
// ARROY_SIMD.
#include <cstdlib>
#include <cstring>

#include "distance/kernels.h"
#include "distance/simd_tables.h"

namespace arroy {

#if !(defined(__x86_64__) || defined(_M_X64)) && !defined(__aarch64__)
// No SIMD kernels for this architecture: scalar only.
void detail::append_simd_kernels(std::vector<const Kernels*>*) {}
#endif

std::vector<const Kernels*> supported_kernels() {
  std::vector<const Kernels*> out;
  out.push_back(&scalar_kernels());
  detail::append_simd_kernels(&out);
  return out;
}

const Kernels* detail::select_kernels(const std::vector<const Kernels*>& supported,
                                      const char* requested) {
  if (requested != nullptr && requested[0] != '\0') {
    for (const Kernels* k : supported) {
      if (std::strcmp(k->name, requested) == 0) return k;
    }
    // An unknown or unsupported name is ignored: fall through to the default.
  }
  return supported.back();
}

const Kernels& active_kernels() {
  // A function-local static is initialised exactly once, thread-safely.
  static const Kernels* const chosen =
      detail::select_kernels(supported_kernels(), std::getenv("ARROY_SIMD"));
  return *chosen;
}

}  // namespace arroy
