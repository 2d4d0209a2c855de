/**
 * Checks on caller input, so that mistakes surface as ArroyErrors with a code
 * and a message naming the argument. The limits come from the native core.
 */
import { invalidArgument } from './errors';
import { binding } from './native';

export type VectorInput = Float32Array | ArrayLike<number>;

export const limits = binding.limits;

export function checkId(id: unknown, what = 'id'): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > limits.maxItemId) {
    throw invalidArgument(`${what} must be an integer from 0 to ${limits.maxItemId}, got ${describe(id)}`);
  }
  return id;
}

/** A Float32Array view of the input (the input itself when it already is one). */
export function toFloat32(vector: unknown, what = 'vector'): Float32Array {
  if (vector instanceof Float32Array) return vector;
  if (Array.isArray(vector) || ArrayBuffer.isView(vector)) {
    const values = vector as ArrayLike<unknown>;
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number') throw invalidArgument(`${what}[${i}] must be a number, got ${describe(v)}`);
      out[i] = v;
    }
    return out;
  }
  throw invalidArgument(`${what} must be a Float32Array or an array of numbers, got ${describe(vector)}`);
}

export function checkPositiveInteger(value: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalidArgument(`${what} must be an integer from 1 to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** The mapSize option: bytes, an integer within the range the core accepts. */
export function checkMapSize(value: unknown): number {
  const { minMapSize, maxMapSize } = binding.mapSizes;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minMapSize || value > maxMapSize) {
    throw invalidArgument(`mapSize must be an integer number of bytes from ${minMapSize} to ${maxMapSize}, got ${describe(value)}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `an array of length ${value.length}` : `a ${value.constructor?.name ?? 'object'}`;
}
