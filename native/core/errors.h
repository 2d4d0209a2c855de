// Errors raised by the core. Every failure the core can detect maps to one
// ErrorCode; the binding throws it as an ArroyError (src/errors.ts) whose
// `code` is the string from error_code_name(), so TypeScript users can
// switch on it.
#pragma once

#include <stdexcept>
#include <string>

namespace arroy {

enum class ErrorCode {
  InvalidArgument,     // bad input from the caller (dimension, id, k, options)
  DimensionMismatch,   // a vector of the wrong length, or an index reopened with other dimensions
  DistanceMismatch,    // an index reopened with another distance
  NotAnIndex,          // the path is not an LMDB environment, or one without arroy-ts data
  Corrupt,             // a record failed its bounds or consistency checks
  FormatVersion,       // the file was written with another format version (rebuild it)
  Closed,              // the index was used after close()
  Busy,                // a build is already running on this index
  Aborted,             // a build was cancelled
  Storage,             // LMDB reported an error (disk full, permissions, ...)
  NoChecksum,          // a verified open of a file that carries no snapshot checksum
};

// Every code, in declaration order; the binding exports their names and
// src/names.ts types them (a test ties the two lists together).
constexpr ErrorCode kErrorCodes[] = {
    ErrorCode::InvalidArgument, ErrorCode::DimensionMismatch, ErrorCode::DistanceMismatch, ErrorCode::NotAnIndex,
    ErrorCode::Corrupt,         ErrorCode::FormatVersion,     ErrorCode::Closed,           ErrorCode::Busy,
    ErrorCode::Aborted,         ErrorCode::Storage,           ErrorCode::NoChecksum,
};

const char* error_code_name(ErrorCode code);  // "ERR_ARROY_INVALID_ARGUMENT", ...

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] inline void fail(ErrorCode code, const std::string& message) { throw Error(code, message); }

[[noreturn]] inline void corrupt(const std::string& what) {
  throw Error(ErrorCode::Corrupt, "corrupt index file: " + what);
}

}  // namespace arroy
