// What every search path is handed: the query vector and its norm.
#pragma once

namespace arroy {

// A query vector: `dimensions` floats (possibly unaligned, e.g. a stored
// item's, in the map) and its L2 norm.
struct QueryVector {
  const void* values;
  float norm;
};

}  // namespace arroy
