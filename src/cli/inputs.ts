/**
 * Readers for the CLI's vector inputs: .fvecs (TEXMEX), .npy (float32, 2-D,
 * C order) and JSON lines. Rows of .fvecs and .npy files are keyed by their
 * row number; JSON lines name their own id or key.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Attributes } from '../attributes';
import { ArroyError } from '../errors';

export interface InputRecord {
  id?: number;
  key?: string;
  vector: Float32Array;
  /** JSON lines only; checked by Index.add. */
  attributes?: Attributes;
}

export type InputFormat = 'fvecs' | 'npy' | 'jsonl';

function bad(file: string, message: string): ArroyError {
  return new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${file}: ${message}`);
}

/** The format of an input file, from its extension. */
export function formatOf(file: string): InputFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.fvecs')) return 'fvecs';
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  throw bad(file, 'unknown input format; expected .fvecs, .npy or .jsonl (JSON lines)');
}

/** Rows of an .fvecs file: each a little-endian int32 length, then that many float32s. */
function* fvecsRows(file: string, bytes: Buffer): Generator<Float32Array> {
  let offset = 0;
  let row = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) throw bad(file, `row ${row} is cut short`);
    const dim = bytes.readInt32LE(offset);
    if (dim <= 0) throw bad(file, `row ${row} has length ${dim}`);
    const end = offset + 4 + 4 * dim;
    if (end > bytes.length) throw bad(file, `row ${row} is cut short`);
    // Copy out so each vector is aligned and owns its bytes.
    const vector = new Float32Array(dim);
    new Uint8Array(vector.buffer).set(bytes.subarray(offset + 4, end));
    yield vector;
    offset = end;
    row++;
  }
}

interface NpyArray {
  shape: number[];
  data: Buffer;
}

/** Parses an .npy header by hand: only little-endian float32 in C order is accepted. */
function parseNpy(file: string, bytes: Buffer): NpyArray {
  const magic = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(magic)) throw bad(file, 'not an .npy file (bad magic)');
  const major = bytes[6];
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = bytes.readUInt16LE(8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw bad(file, 'header is cut short');
    headerLength = bytes.readUInt32LE(8);
    headerStart = 12;
  } else {
    throw bad(file, `unsupported .npy version ${major}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw bad(file, 'header is cut short');
  const header = bytes.subarray(headerStart, dataStart).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad(file, 'malformed .npy header');
  if (descr !== '<f4' && descr !== '=f4') throw bad(file, `dtype '${descr}' is not supported; save the array as float32 ('<f4')`);
  if (fortran === 'True') throw bad(file, 'Fortran-order arrays are not supported; save in C order');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) throw bad(file, `bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - dataStart !== count * 4) throw bad(file, `holds ${bytes.length - dataStart} data bytes, shape (${shapeText}) needs ${count * 4}`);
  return { shape, data: bytes.subarray(dataStart) };
}

function* npyRows(file: string, bytes: Buffer): Generator<Float32Array> {
  const { shape, data } = parseNpy(file, bytes);
  if (shape.length !== 2) throw bad(file, `expected a 2-D array (rows, dimensions), got ${shape.length}-D`);
  const [rows, dim] = shape;
  for (let r = 0; r < rows; r++) {
    const vector = new Float32Array(dim);
    new Uint8Array(vector.buffer).set(data.subarray(r * dim * 4, (r + 1) * dim * 4));
    yield vector;
  }
}

function toVector(where: string, value: unknown): Float32Array {
  if (!Array.isArray(value) || value.length === 0 || !value.every((x) => typeof x === 'number')) {
    throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${where}: "vector" must be a non-empty array of numbers`);
  }
  return Float32Array.from(value as number[]);
}

function jsonRecord(where: string, line: string): InputRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${where}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${where}: expected an object {"id" or "key", "vector"}`);
  }
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (name !== 'id' && name !== 'key' && name !== 'vector' && name !== 'attributes') {
      throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${where}: unknown field "${name}" (expected "id" or "key", "vector", and optionally "attributes")`);
    }
  }
  const { attributes } = record;
  if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))) {
    throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${where}: "attributes" must be an object`);
  }
  const { id, key } = record;
  if ((id === undefined) === (key === undefined)) {
    throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${where}: give exactly one of "id" (a number) and "key" (a string)`);
  }
  if (id !== undefined && typeof id !== 'number') throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${where}: "id" must be a number`);
  if (key !== undefined && typeof key !== 'string') throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${where}: "key" must be a string`);
  const out: InputRecord = id !== undefined ? { id: id as number, vector: toVector(where, record.vector) } : { key: key as string, vector: toVector(where, record.vector) };
  if (attributes !== undefined) out.attributes = attributes as Attributes;
  return out;
}

async function* jsonLines(file: string): AsyncGenerator<InputRecord> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    yield jsonRecord(`${file}:${number}`, line);
  }
}

/** Every record of an input file, in file order. */
export async function* readInput(file: string): AsyncGenerator<InputRecord> {
  const format = formatOf(file);
  if (format === 'jsonl') {
    yield* jsonLines(file);
    return;
  }
  const bytes = fs.readFileSync(file);
  const rows = format === 'fvecs' ? fvecsRows(file, bytes) : npyRows(file, bytes);
  let id = 0;
  for (const vector of rows) yield { id: id++, vector };
}

/** The one query vector of a --vector file: the first row of .fvecs, a 1-D or one-row .npy, or a JSON array. */
export function readQueryVector(file: string): Float32Array {
  const lower = file.toLowerCase();
  if (lower.endsWith('.fvecs')) {
    const first = fvecsRows(file, fs.readFileSync(file)).next();
    if (first.done) throw bad(file, 'holds no vector');
    return first.value;
  }
  if (lower.endsWith('.npy')) {
    const { shape, data } = parseNpy(file, fs.readFileSync(file));
    if (shape.length === 2 && shape[0] !== 1) throw bad(file, `holds ${shape[0]} vectors; the query file needs one`);
    if (shape.length !== 1 && shape.length !== 2) throw bad(file, `expected a 1-D array, got ${shape.length}-D`);
    const vector = new Float32Array(data.length / 4);
    new Uint8Array(vector.buffer).set(data);
    return vector;
  }
  if (lower.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw bad(file, `not valid JSON (${(error as Error).message})`);
    }
    return toVector(file, value);
  }
  throw bad(file, 'unknown query format; expected .fvecs, .npy or .json (an array of numbers)');
}
