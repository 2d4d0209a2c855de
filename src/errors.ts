/**
 * Every error arroy-ts throws is an ArroyError whose `code` says what went
 * wrong; messages are for people, codes are for programs.
 */
export type ArroyErrorCode =
  /** Bad input from the caller: a wrong type, a non-finite value, an id or k out of range, a bad option. */
  | 'ERR_ARROY_INVALID_ARGUMENT'
  /** A vector of the wrong length, or an existing index reopened with other dimensions. */
  | 'ERR_ARROY_DIMENSION_MISMATCH'
  /** An existing index reopened with another distance. */
  | 'ERR_ARROY_DISTANCE_MISMATCH'
  /** The path is not an LMDB environment, holds another program's data, or lacks the named index. */
  | 'ERR_ARROY_NOT_AN_INDEX'
  /** A stored record failed its checks: the file is damaged. */
  | 'ERR_ARROY_CORRUPT'
  /** The file was written with another arroy-ts format version. */
  | 'ERR_ARROY_VERSION_MISMATCH'
  /** The index was used after close(). */
  | 'ERR_ARROY_CLOSED'
  /** A build of this index is already running. */
  | 'ERR_ARROY_BUSY'
  /** A build was cancelled through its AbortSignal, by close(), or by a throwing onProgress. */
  | 'ERR_ARROY_ABORTED'
  /** LMDB or the operating system failed (disk full, permissions, ...). */
  | 'ERR_ARROY_STORAGE'
  /** No native addon fits this platform, architecture, libc and Node ABI (the message says how to build one). */
  | 'ERR_ARROY_NO_BINARY';

export class ArroyError extends Error {
  readonly code: ArroyErrorCode;

  constructor(code: ArroyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArroyError';
    this.code = code;
  }
}

/** Re-throws an error from the native binding as an ArroyError (keeping its code). */
export function rethrowNative(error: unknown): never {
  throw fromNative(error);
}

export function fromNative(error: unknown): unknown {
  if (error instanceof ArroyError) return error;
  if (error instanceof Error) {
    const code: unknown = (error as Error & { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_ARROY_')) return new ArroyError(code as ArroyErrorCode, error.message);
  }
  return error;
}

export function invalidArgument(message: string): ArroyError {
  return new ArroyError('ERR_ARROY_INVALID_ARGUMENT', message);
}
