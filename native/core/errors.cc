#include "errors.h"

namespace arroy {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "ERR_ARROY_INVALID_ARGUMENT";
    case ErrorCode::DimensionMismatch: return "ERR_ARROY_DIMENSION_MISMATCH";
    case ErrorCode::DistanceMismatch: return "ERR_ARROY_DISTANCE_MISMATCH";
    case ErrorCode::NotAnIndex: return "ERR_ARROY_NOT_AN_INDEX";
    case ErrorCode::Corrupt: return "ERR_ARROY_CORRUPT";
    case ErrorCode::FormatVersion: return "ERR_ARROY_FORMAT_VERSION";
    case ErrorCode::Closed: return "ERR_ARROY_CLOSED";
    case ErrorCode::Busy: return "ERR_ARROY_BUSY";
    case ErrorCode::Aborted: return "ERR_ARROY_ABORTED";
    case ErrorCode::Storage: return "ERR_ARROY_STORAGE";
    case ErrorCode::NoChecksum: return "ERR_ARROY_NO_CHECKSUM";
  }
  return "ERR_ARROY_UNKNOWN";
}

}  // namespace arroy
