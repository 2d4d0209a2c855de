/**
 * The manifest of a sharded deployment, `<dir>/shards.json`, written by
 * splitIndex beside the shard snapshots and read by a router. Part of the
 * deployment's format (routers and writers of different releases must agree):
 *
 * {
 *   "format": "arroy-ts-shards", "version": 1,
 *   "by": "hash" | "kmeans",
 *   "name": string, "distance": one of the index distances, "dimensions": int, "keys": "number" | "string",
 *   "shards": [{ "file": "shard-0.arroy", "count": int, "bytes": int, "crc32c": u32 }, ...],
 *   // by kmeans only:
 *   "centroidDimensions": int,   // dimensions, or dimensions + 1 for dot (src/shards/kmeans.ts)
 *   "centroids": base64,         // little-endian float32, shards x centroidDimensions, row i = shard i
 *   "recall": { "k": int, "queries": int, "byProbe": [r1, ..., rN] }   // or null: not measured
 * }
 *
 * `file` is relative to the manifest's directory; `crc32c` is the snapshot's
 * own checksum (its trailer, verified by an open with `verify: true`), kept
 * here so that a shard file swapped for another is detected. `byProbe[p-1]`
 * is the fraction of held-out queries' true k nearest neighbours found in
 * the p shards the route ranks first, if each shard's search were exact.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Distance } from '../arroy-index';
import { ArroyError } from '../errors';
import { DISTANCES } from '../names';
import { centroidDimensions } from './kmeans';

export const MANIFEST_FILE = 'shards.json';
const FORMAT = 'arroy-ts-shards';
const VERSION = 1;

export interface ShardEntry {
  /** The snapshot's file name, relative to the manifest's directory. */
  file: string;
  count: number;
  bytes: number;
  /** The snapshot's CRC32C (its checksum trailer). */
  crc32c: number;
}

/** How recall grows with the shards probed, measured at split time on held-out items. */
export interface ProbeRecall {
  /** The neighbours per query the curve counts. */
  k: number;
  /** Held-out queries measured. */
  queries: number;
  /** byProbe[p - 1]: recall@k when the p nearest shards are searched exactly. */
  byProbe: number[];
}

export interface ShardManifest {
  by: 'hash' | 'kmeans';
  name: string;
  distance: Distance;
  dimensions: number;
  keys: 'number' | 'string';
  shards: ShardEntry[];
  /** by kmeans: row i (centroidDimensions floats) is shard i's centroid. */
  centroids?: Float32Array;
  centroidDimensions?: number;
  recall?: ProbeRecall | null;
  /** The directory the shard files are relative to (where the manifest was read from). */
  dir: string;
}

const corrupt = (source: string, message: string) => new ArroyError('ERR_ARROY_CORRUPT', `shard manifest ${source}: ${message}`);

/** Writes `manifest` as `<dir>/shards.json` (atomically: a temporary file renamed). */
export function writeManifest(dir: string, manifest: Omit<ShardManifest, 'dir'>): string {
  const { centroids, ...rest } = manifest;
  const json: Record<string, unknown> = { format: FORMAT, version: VERSION, ...rest };
  if (centroids !== undefined) {
    const bytes = Buffer.alloc(centroids.length * 4);
    centroids.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
    json.centroids = bytes.toString('base64');
  }
  const file = path.join(dir, MANIFEST_FILE);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(json, null, 1)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Checks and decodes a manifest's JSON text; `dir` is where its shard files are. Throws ERR_ARROY_CORRUPT naming the bad field. */
export function parseShardManifest(text: string, dir: string, source = MANIFEST_FILE): ShardManifest {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(source, `not JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw corrupt(source, 'not a JSON object');
  if (json.format !== FORMAT) throw corrupt(source, `format is not '${FORMAT}'`);
  if (json.version !== VERSION) {
    throw new ArroyError('ERR_ARROY_FORMAT_VERSION', `shard manifest ${source}: version ${String(json.version)}, this release reads version ${VERSION}`);
  }
  const { by, name, distance, dimensions, keys, shards } = json;
  if (by !== 'hash' && by !== 'kmeans') throw corrupt(source, `by must be 'hash' or 'kmeans'`);
  if (typeof name !== 'string') throw corrupt(source, 'name must be a string');
  if (!(DISTANCES as readonly unknown[]).includes(distance)) throw corrupt(source, `distance must be one of ${DISTANCES.join(', ')}`);
  if (!isCount(dimensions) || dimensions === 0) throw corrupt(source, 'dimensions must be a positive integer');
  if (keys !== 'number' && keys !== 'string') throw corrupt(source, `keys must be 'number' or 'string'`);
  if (!Array.isArray(shards) || shards.length === 0 || shards.length > 0xffff) throw corrupt(source, 'shards must be a list of 1 to 65535 entries');
  const entries = shards.map((entry: Record<string, unknown> | null, i): ShardEntry => {
    if (entry === null || typeof entry !== 'object') throw corrupt(source, `shards[${i}] is not an object`);
    const { file, count, bytes, crc32c } = entry;
    if (typeof file !== 'string' || file.length === 0 || path.basename(file) !== file) throw corrupt(source, `shards[${i}].file must be a file name in the manifest's directory`);
    if (!isCount(count) || !isCount(bytes)) throw corrupt(source, `shards[${i}]: count and bytes must be non-negative integers`);
    if (!isCount(crc32c) || crc32c > 0xffffffff) throw corrupt(source, `shards[${i}].crc32c must be a u32`);
    return { file, count, bytes, crc32c };
  });
  const manifest: ShardManifest = { by, name, distance: distance as Distance, dimensions, keys, shards: entries, dir };
  if (by === 'kmeans') {
    const expected = centroidDimensions(distance as Distance, dimensions);
    if (json.centroidDimensions !== expected) throw corrupt(source, `centroidDimensions must be ${expected} for ${String(distance)} at ${dimensions} dimensions`);
    if (typeof json.centroids !== 'string') throw corrupt(source, 'a k-means manifest needs centroids (base64 float32)');
    const bytes = Buffer.from(json.centroids, 'base64');
    if (bytes.length !== entries.length * expected * 4) throw corrupt(source, `centroids hold ${bytes.length} bytes, expected ${entries.length} x ${expected} float32`);
    const centroids = new Float32Array(entries.length * expected);
    for (let i = 0; i < centroids.length; i++) {
      centroids[i] = bytes.readFloatLE(i * 4);
      if (!Number.isFinite(centroids[i])) throw corrupt(source, `centroid value ${i} is not finite`);
    }
    Object.assign(manifest, { centroids, centroidDimensions: expected, recall: parseRecall(json.recall, entries.length, source) });
  }
  return manifest;
}

function parseRecall(value: unknown, shardCount: number, source: string): ProbeRecall | null {
  if (value === null || value === undefined) return null;
  const { k, queries, byProbe } = value as Partial<ProbeRecall>;
  if (!isCount(k) || k === 0 || !isCount(queries) || queries === 0) throw corrupt(source, 'recall.k and recall.queries must be positive integers');
  if (!Array.isArray(byProbe) || byProbe.length !== shardCount) throw corrupt(source, `recall.byProbe must hold one recall per shard count probed (${shardCount})`);
  for (let i = 0; i < byProbe.length; i++) {
    const r = byProbe[i];
    if (typeof r !== 'number' || !(r >= 0 && r <= 1) || (i > 0 && r < byProbe[i - 1])) throw corrupt(source, `recall.byProbe[${i}] must be in [0, 1] and not below the one before`);
  }
  return { k, queries, byProbe };
}

/** Reads `<dir>/shards.json` (or the manifest file itself when given one). */
export function readShardManifest(location: string): ShardManifest {
  if (typeof location !== 'string' || location.length === 0) throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', 'the manifest location must be a non-empty path');
  let file = location;
  try {
    if (fs.statSync(location).isDirectory()) file = path.join(location, MANIFEST_FILE);
  } catch {
    throw new ArroyError('ERR_ARROY_NOT_AN_INDEX', `no shard manifest at ${location}`);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ArroyError('ERR_ARROY_NOT_AN_INDEX', `cannot read the shard manifest ${file}: ${(error as Error).message}`);
  }
  return parseShardManifest(text, path.dirname(file), file);
}
