// The CPU-specific CRC32C instructions behind crc32c() (crc32c.h), kept apart
// because each needs its own target attribute and run-time detection.
#pragma once

#include "checksum/crc32c.h"

namespace arroy {

// Name of the hardware implementation crc32c_hardware() returns ("sse4.2",
// "armv8-crc"); only meaningful when it returns non-null.
const char* crc32c_hardware_name();

}  // namespace arroy
