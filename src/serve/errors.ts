/**
 * The service's errors: an HttpError carries its status; an ArroyError from
 * the library is mapped to the status its code deserves. Every error body is
 * `{ error: { status, code, message } }`.
 */
import { ArroyError, type ArroyErrorCode } from '../errors';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, 'BAD_REQUEST', message);
export const notFound = (message: string): HttpError => new HttpError(404, 'NOT_FOUND', message);
export const conflict = (message: string): HttpError => new HttpError(409, 'CONFLICT', message);

/**
 * Caller mistakes are 4xx; a damaged or unreadable file, a failed disk, is the
 * server's (5xx); a closed or busy index is temporary (503).
 */
const STATUS_OF_CODE: Record<ArroyErrorCode, number> = {
  ERR_ARROY_INVALID_ARGUMENT: 400,
  ERR_ARROY_DIMENSION_MISMATCH: 400,
  ERR_ARROY_DISTANCE_MISMATCH: 409,
  ERR_ARROY_NOT_AN_INDEX: 404,
  ERR_ARROY_CORRUPT: 500,
  ERR_ARROY_FORMAT_VERSION: 500,
  ERR_ARROY_CLOSED: 503,
  ERR_ARROY_BUSY: 503,
  ERR_ARROY_ABORTED: 503,
  ERR_ARROY_STORAGE: 507,
  ERR_ARROY_NO_CHECKSUM: 500,
  ERR_ARROY_NO_BINARY: 500,
};

export interface ErrorBody {
  error: { status: number; code: string; message: string };
}

export function errorBody(status: number, code: string, message: string): ErrorBody {
  return { error: { status, code, message } };
}

/** The status and body of any error a handler threw. */
export function describeError(error: unknown): ErrorBody {
  if (error instanceof HttpError) return errorBody(error.status, error.code, error.message);
  if (error instanceof ArroyError) return errorBody(STATUS_OF_CODE[error.code] ?? 500, error.code, error.message);
  const fastifyError = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own: schema validation (its message names the field, e.g.
    // "body/vector must be array"), malformed JSON, 413, 415.
    const code = fastifyError.validation !== undefined ? 'BAD_REQUEST' : (fastifyError.code ?? 'BAD_REQUEST');
    return errorBody(status, code, fastifyError.message ?? 'bad request');
  }
  return errorBody(500, 'INTERNAL', error instanceof Error ? error.message : String(error));
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * Fastify's schemaErrorFormatter: the first failure as a sentence that names
 * the field by its path (`body/items/2/vector must be array`), including the
 * unknown or missing field itself, which Ajv leaves out of its message.
 */
export function formatSchemaError(errors: SchemaError[], dataVar: string): Error {
  const first = errors[0];
  const at = `${dataVar}${first.instancePath}`;
  if (first.keyword === 'additionalProperties') return new Error(`${at}/${String(first.params.additionalProperty)} is not a known field`);
  if (first.keyword === 'required') return new Error(`${at}/${String(first.params.missingProperty)} is required`);
  return new Error(`${at} ${first.message ?? 'is not valid'}`);
}
