// Prepared data for bench:peers: one directory per (dataset, fraction) under bench/data/peers/
// (git-ignored), in the plain layout every peer reads, C++ or Node:
//   meta.txt     "<n> <dim> <queries> <cosine|euclidean> <gt_k>"
//   base.f32     the first n = round(fraction x N) base vectors, float32 row-major
//   queries.f32  every query
//   gt.i32       the exact 10 nearest of each query among those n (nearest first)
// At fraction 1 the ground truth is the dataset's own; below, the C++ tool computes it by
// brute force (float pass, double re-rank of the best 40). A prefix keeps the dataset's
// order: for GloVe (frequency order) 25% is the 50,000 most frequent words.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../../test/helpers/datasets.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DATA_ROOT = path.resolve(here, '..', 'data', 'peers');
export const K = 10;

export function readMeta(dir) {
  const [n, dim, queries, metric, gtK] = fs.readFileSync(path.join(dir, 'meta.txt'), 'utf8').trim().split(/\s+/);
  return { dir, n: Number(n), dim: Number(dim), queryCount: Number(queries), metric, gtK: Number(gtK) };
}

function readTyped(file, Typed) {
  const buf = fs.readFileSync(file);
  return new Typed(buf.buffer, buf.byteOffset, buf.byteLength / Typed.BYTES_PER_ELEMENT);
}

export const readBase = (meta) => readTyped(path.join(meta.dir, 'base.f32'), Float32Array);
export const readQueries = (meta) => readTyped(path.join(meta.dir, 'queries.f32'), Float32Array);
export const readTruth = (meta) => readTyped(path.join(meta.dir, 'gt.i32'), Int32Array);

// Mean over queries of |results[q][0..10) ∩ truth[q][0..10)| / 10; results[q] is any array-like of ids.
export function recall(meta, truth, results) {
  let hits = 0;
  for (let q = 0; q < meta.queryCount; q++) {
    const t = truth.subarray(q * meta.gtK, q * meta.gtK + K);
    const r = results[q];
    for (let j = 0; j < Math.min(K, r.length); j++) if (t.includes(Number(r[j]))) hits++;
  }
  return hits / (meta.queryCount * K);
}

function write(file, typed) {
  fs.writeFileSync(file, new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
}

// The directory for (name, fraction), prepared on first use. `truthTool(dir)` computes gt.i32.
export function prepare(name, fraction, truthTool) {
  const dir = path.join(DATA_ROOT, `${name}@${fraction}`);
  if (fs.existsSync(path.join(dir, 'meta.txt')) && fs.existsSync(path.join(dir, 'gt.i32'))) return readMeta(dir);
  const ds = loadDataset(name);
  const n = Math.round(ds.baseCount * fraction);
  fs.mkdirSync(dir, { recursive: true });
  write(path.join(dir, 'base.f32'), ds.base.subarray(0, n * ds.dim));
  write(path.join(dir, 'queries.f32'), ds.queries);
  const metric = ds.distance === 'cosine' ? 'cosine' : 'euclidean';
  if (fraction === 1) {
    const gt = new Int32Array(ds.queryCount * K);
    for (let q = 0; q < ds.queryCount; q++) gt.set(ds.groundTruth.subarray(q * ds.gtK, q * ds.gtK + K), q * K);
    write(path.join(dir, 'gt.i32'), gt);
    fs.writeFileSync(path.join(dir, 'meta.txt'), `${n} ${ds.dim} ${ds.queryCount} ${metric} ${K}\n`);
  } else {
    fs.writeFileSync(path.join(dir, 'meta.txt'), `${n} ${ds.dim} ${ds.queryCount} ${metric} ${K}\n`);
    fs.rmSync(path.join(dir, 'gt.i32'), { force: true });
    truthTool(dir);
  }
  return readMeta(dir);
}
