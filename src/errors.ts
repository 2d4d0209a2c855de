/**
 * Every error arroy-ts throws is an ArroyError whose `code` says what went
 * wrong; messages are for people, codes are for programs. The native addon
 * throws ArroyError itself (src/native.ts registers the class with it).
 */
import type { CoreErrorCode } from './names';

/**
 * - `ERR_ARROY_INVALID_ARGUMENT`: bad input from the caller: a wrong type, a non-finite value, an id or k out of range, a bad option.
 * - `ERR_ARROY_DIMENSION_MISMATCH`: a vector of the wrong length, or an existing index reopened with other dimensions.
 * - `ERR_ARROY_DISTANCE_MISMATCH`: an existing index reopened with another distance.
 * - `ERR_ARROY_NOT_AN_INDEX`: the path is not an LMDB environment, holds another program's data, or lacks the named index (or it was dropped).
 * - `ERR_ARROY_CORRUPT`: a stored record failed its checks: the file is damaged.
 * - `ERR_ARROY_FORMAT_VERSION`: the file was written with another arroy-ts format version (the message names both and says how to rebuild).
 * - `ERR_ARROY_CLOSED`: the index was used after close().
 * - `ERR_ARROY_BUSY`: a build of this index is already running.
 * - `ERR_ARROY_ABORTED`: a build was cancelled through its AbortSignal or by close().
 * - `ERR_ARROY_STORAGE`: LMDB or the operating system failed (disk full, permissions, ...).
 * - `ERR_ARROY_NO_CHECKSUM`: an open with `verify: true` of a file that carries no snapshot checksum
 *   (not written by `snapshot()`, or cut short at a page boundary).
 * - `ERR_ARROY_NO_BINARY`: no native addon fits this platform, architecture, libc and Node ABI
 *   (the message says what was looked for and found, and how to build one). Raised by the
 *   loader in src/load-binding.ts, before the core exists: the only code that is not the core's.
 */
export type ArroyErrorCode = CoreErrorCode | 'ERR_ARROY_NO_BINARY';

export class ArroyError extends Error {
  readonly code: ArroyErrorCode;

  constructor(code: ArroyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArroyError';
    this.code = code;
  }
}

export function invalidArgument(message: string): ArroyError {
  return new ArroyError('ERR_ARROY_INVALID_ARGUMENT', message);
}
