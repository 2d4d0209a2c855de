/**
 * Checks on caller input, so that mistakes surface as ArroyErrors with a code
 * and a message naming the argument. The limits come from the native core.
 */
import { invalidArgument } from './errors';
import { binding } from './native';

export type VectorInput = Float32Array | ArrayLike<number>;

export const limits = binding.limits;

/** The core's name lists, for checking options against (src/names.ts types them). */
export const names = binding.names;

export function checkId(id: unknown, what = 'id'): number {
  return checkIntegerIn(id, what, 0, limits.maxItemId);
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
  return checkIntegerIn(value, what, 1, max);
}

/** An integer from `min` to `max`. */
export function checkIntegerIn(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${what} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** The mapSize option: bytes, an integer within the range the core accepts. */
export function checkMapSize(value: unknown): number {
  return checkIntegerIn(value, 'mapSize (bytes)', limits.minMapSize, limits.maxMapSize);
}

/** A boolean option. */
export function checkBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(`${what} must be a boolean, got ${describe(value)}`);
  return value;
}

/** One of `allowed` (a name list of the core). */
export function checkOneOf<T extends string>(value: unknown, what: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalidArgument(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** A recall to aim for: a number in (0, 1]. */
export function checkRecall(value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw invalidArgument(`recall must be a number greater than 0 and at most 1, got ${describe(value)}`);
  }
  return value;
}

/**
 * The option names of T, listed once as a record so that the compiler
 * catches an option added to the interface but not to the list.
 */
export function optionNames<T>(names: Record<keyof T & string, true>): readonly string[] {
  return Object.freeze(Object.keys(names));
}

/**
 * An options object (undefined counts as none) whose every own key is one of
 * `allowed`: a misspelled option is an error naming the closest valid one,
 * never silently ignored.
 */
export function checkOptions<T extends object>(value: T | undefined, what: string, allowed: readonly string[]): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${what} must be an options object (a plain object, not an array), got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const closest = closestName(key, allowed);
    const hint = closest === undefined ? `valid options are ${allowed.map((a) => `'${a}'`).join(', ')}` : `did you mean '${closest}'?`;
    throw invalidArgument(`${what}: unknown option '${key}'; ${hint}`);
  }
  return value;
}

/**
 * With the u flag a surrogate pair is one code point and never matches \p{Cs};
 * only a lone surrogate does. UTF-8 cannot encode one, so the conversion would
 * replace it with U+FFFD and two different strings would name one item.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** A string that converts to UTF-8 losslessly (no lone surrogate). */
export function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalidArgument(`${what} must be a string, got ${describe(value)}`);
  if (LONE_SURROGATE.test(value)) throw invalidArgument(`${what} contains a lone UTF-16 surrogate, which UTF-8 cannot represent: ${describe(value)}`);
  return value;
}

/** A file path: a non-empty, well-formed string without NUL (the OS would cut the path there). */
export function checkPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument(`path must be a non-empty string, got ${describe(value)}`);
  if (value.includes('\0')) throw invalidArgument(`path must not contain a NUL character, got ${describe(value)}`);
  return checkText(value, 'path');
}

/** The name in `candidates` nearest to `name`, if any is near enough to be a likely typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // Case slips (readonly for readOnly) count as half an edit: the likeliest typo.
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase()) + (name === candidate ? 0 : 0.5);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) + 0.5 ? best : undefined;
}

/** Levenshtein distance, with an adjacent swap counting as one edit (Damerau's "optimal string alignment"). */
export function editDistance(a: string, b: string): number {
  // Three rows of the dynamic-programming table: two back (for swaps), one back, and this one.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1);
    }
    [before, previous] = [previous, row];
  }
  return previous[b.length];
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `an array of length ${value.length}` : `a ${value.constructor?.name ?? 'object'}`;
}
