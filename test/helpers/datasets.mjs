// Readers for the shared TEXMEX-format datasets (../shared/datasets) and the
// recall measure, shared by the tests, the benchmarks and the demo.
// Plain ESM JavaScript so that bench/ and examples/ run it without a compiler.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { random } from './random.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SHARED_DIR = process.env.ARROY_SHARED_DIR ?? path.resolve(here, '..', '..', '..', 'shared');
export const DATASETS_DIR = path.join(SHARED_DIR, 'datasets');

function readFile(file) {
  if (fs.existsSync(file)) return fs.readFileSync(file);
  if (fs.existsSync(`${file}.gz`)) return zlib.gunzipSync(fs.readFileSync(`${file}.gz`));
  throw new Error(`dataset file not found: ${file}(.gz); is ../shared beside the repository?`);
}

// Rows of an .fvecs/.ivecs file as one flat typed array plus the row length.
function readVecs(file, TypedArray) {
  const buf = readFile(file);
  const dim = buf.readInt32LE(0);
  const rowBytes = 4 * (dim + 1);
  if (buf.length % rowBytes !== 0) throw new Error(`${file}: size is not a multiple of the row size`);
  const rows = buf.length / rowBytes;
  const out = new Uint8Array(rows * dim * 4);
  for (let r = 0; r < rows; r++) {
    if (buf.readInt32LE(r * rowBytes) !== dim) throw new Error(`${file}: row ${r} has another dimension`);
    out.set(buf.subarray(r * rowBytes + 4, (r + 1) * rowBytes), r * dim * 4);
  }
  return { rows, dim, data: new TypedArray(out.buffer, 0, rows * dim) };
}

export function loadDataset(name) {
  const dir = path.join(DATASETS_DIR, name);
  const base = readVecs(path.join(dir, 'base.fvecs'), Float32Array);
  const queries = readVecs(path.join(dir, 'query.fvecs'), Float32Array);
  const gt = readVecs(path.join(dir, 'groundtruth.ivecs'), Int32Array);
  const dim = base.dim;
  return {
    name,
    distance: name.startsWith('glove') ? 'cosine' : 'euclidean',
    dim,
    base: base.data,
    baseCount: base.rows,
    queries: queries.data,
    queryCount: queries.rows,
    groundTruth: gt.data,
    gtK: gt.dim,
    row(which, i) {
      const data = which === 'base' ? this.base : this.queries;
      return data.subarray(i * dim, (i + 1) * dim);
    },
  };
}

// Mean over queries of |result ∩ truth[0..k)| / k.
export function recallAtK(results, ds, k) {
  let hits = 0;
  for (let q = 0; q < results.length; q++) {
    const truth = new Set();
    for (let j = 0; j < k; j++) truth.add(ds.groundTruth[q * ds.gtK + j]);
    for (const id of results[q].slice(0, k)) if (truth.has(id)) hits++;
  }
  return hits / (results.length * k);
}

export function readWords() {
  return fs.readFileSync(path.join(DATASETS_DIR, 'glove-100-angular', 'words.txt'), 'utf8').split('\n');
}

// Subsets of a dataset for filtered search, as sorted id arrays: `fraction`
// of the items chosen at random (seeded), or one contiguous run of ids (in
// GloVe, ids follow word frequency, so a run is a frequency band).
export function randomSubset(ds, fraction, seed) {
  const next = random(seed);
  const chosen = new Set();
  const want = Math.round(ds.baseCount * fraction);
  while (chosen.size < want) chosen.add(Math.floor(next() * ds.baseCount));
  return Uint32Array.from(chosen).sort();
}

export function contiguousSubset(ds, fraction, start) {
  const count = Math.round(ds.baseCount * fraction);
  return Uint32Array.from({ length: count }, (_, i) => start + i);
}

// Exact k nearest of every query among `allowed` ids, by brute force in
// float64 (cosine for GloVe, euclidean otherwise): the ground truth of
// filtered search. Returns one id array per query.
export function filteredTruth(ds, allowed, k) {
  const dim = ds.dim;
  const cosine = ds.distance === 'cosine';
  const norms = new Float64Array(allowed.length);
  for (let j = 0; j < allowed.length; j++) {
    const v = ds.row('base', allowed[j]);
    let s = 0;
    for (let d = 0; d < dim; d++) s += v[d] * v[d];
    norms[j] = Math.sqrt(s);
  }
  const truth = [];
  const dist = new Float64Array(allowed.length);
  for (let q = 0; q < ds.queryCount; q++) {
    const query = ds.row('queries', q);
    let qn = 0;
    for (let d = 0; d < dim; d++) qn += query[d] * query[d];
    qn = Math.sqrt(qn);
    for (let j = 0; j < allowed.length; j++) {
      const v = ds.row('base', allowed[j]);
      let s = 0;
      if (cosine) {
        for (let d = 0; d < dim; d++) s += query[d] * v[d];
        dist[j] = 1 - s / (qn * norms[j]);
      } else {
        for (let d = 0; d < dim; d++) s += (query[d] - v[d]) ** 2;
        dist[j] = s;
      }
    }
    const order = Array.from(allowed.keys()).sort((x, y) => dist[x] - dist[y] || allowed[x] - allowed[y]);
    truth.push(order.slice(0, k).map((j) => allowed[j]));
  }
  return truth;
}

// Mean over queries of |result ∩ truth| / |truth|, against explicit truths.
export function recallAgainst(results, truths) {
  let hits = 0;
  let total = 0;
  for (let q = 0; q < truths.length; q++) {
    const truth = new Set(truths[q]);
    for (const id of results[q]) if (truth.has(id)) hits++;
    total += truth.size;
  }
  return total === 0 ? 1 : hits / total;
}
