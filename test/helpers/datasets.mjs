// Readers for the shared TEXMEX-format datasets (../shared/datasets) and the
// recall measure, shared by the tests, the benchmarks and the demo.
// Plain ESM JavaScript so that bench/ and examples/ run it without a compiler.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

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
