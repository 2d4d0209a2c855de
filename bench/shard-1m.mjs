#!/usr/bin/env node
// npm run bench:shard-1m: one shard of 1M items, the shard size the README's
// 100M plan recommends. There is no 1M data set here, so this one is
// SYNTHETIC: GloVe's 200,000 words (100-d, cosine) and four copies of them,
// each turned by a small random rotation (200 Givens rotations of up to
// ±0.3 rad on random coordinate pairs) and perturbed by Gaussian noise (5% of
// a component's RMS). Measured: the default build (2 threads), the snapshot's
// bytes, a fresh process's verified open plus its first query, and the
// default search's QPS and recall@10 (GloVe's queries, against a brute force
// over the 1M items). Writes its section into bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Index } from '../dist/index.mjs';
import { loadDataset } from '../test/helpers/datasets.mjs';
import { random } from '../test/helpers/random.mjs';
import { fmt, provenance, tempIndexFile, writeSection } from './lib/common.mjs';

const COPIES = 5;
const QUERIES = 1000;
const TRUTH_QUERIES = 100;
const ROTATIONS = 200;

const ds = loadDataset('glove-100-angular');
const d = ds.dim;
const next = random(1234);
const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
let sumSq = 0;
for (let i = 0; i < ds.base.length; i++) sumSq += ds.base[i] * ds.base[i];
const noise = 0.05 * Math.sqrt(sumSq / ds.base.length);

const n = ds.baseCount * COPIES;
const data = new Float32Array(n * d);
data.set(ds.base, 0);
for (let c = 1; c < COPIES; c++) {
  const turns = Array.from({ length: ROTATIONS }, () => {
    const a = Math.floor(next() * d);
    const b = (a + 1 + Math.floor(next() * (d - 1))) % d;
    const angle = (next() * 2 - 1) * 0.3;
    return [a, b, Math.cos(angle), Math.sin(angle)];
  });
  const row = new Float64Array(d);
  for (let i = 0; i < ds.baseCount; i++) {
    for (let j = 0; j < d; j++) row[j] = ds.base[i * d + j];
    for (const [a, b, cos, sin] of turns) [row[a], row[b]] = [cos * row[a] - sin * row[b], sin * row[a] + cos * row[b]];
    const out = (c * ds.baseCount + i) * d;
    for (let j = 0; j < d; j++) data[out + j] = row[j] + noise * gauss();
  }
}

const temp = tempIndexFile('shard-1m');
const index = Index.open(temp.file, { dimensions: d, distance: 'cosine', mapSize: 16 * 2 ** 30 });
const addStarted = performance.now();
for (let i = 0; i < n; i++) index.add(i, data.subarray(i * d, (i + 1) * d));
const addMs = performance.now() - addStarted;
const build = await index.build({ seed: 42, threads: 2 });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-bench-1m-'));
const snapshot = await index.snapshot(path.join(dir, 'shard.arroy'));
index.close();
temp.remove();

// A fresh process, as a function's cold start: the verified open and the first query.
const coldScript = `
import { Index } from ${JSON.stringify(new URL('../dist/index.mjs', import.meta.url).href)};
const t0 = performance.now();
const index = Index.open(process.argv[1], { readOnly: true, verify: true });
const t1 = performance.now();
index.search(new Float32Array(${JSON.stringify(Array.from(ds.row('queries', 0)))}), { k: 10 });
const t2 = performance.now();
console.log(JSON.stringify({ openMs: t1 - t0, firstQueryMs: t2 - t1, rss: process.memoryUsage().rss }));`;
const cold = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', coldScript, snapshot.path], { encoding: 'utf8' }));

const shard = Index.open(snapshot.path, { readOnly: true });
const results = [];
const started = performance.now();
for (let q = 0; q < QUERIES; q++) results.push(shard.search(ds.row('queries', q), { k: 10 }).map((x) => x.id));
const qps = QUERIES / ((performance.now() - started) / 1000);
shard.close();

// Brute force over the 1M for the first TRUTH_QUERIES queries (cosine: rank by the normalized dot).
const norms = new Float32Array(n);
for (let i = 0; i < n; i++) {
  let s = 0;
  for (let j = 0; j < d; j++) s += data[i * d + j] ** 2;
  norms[i] = Math.sqrt(s) || 1;
}
let hits = 0;
for (let q = 0; q < TRUTH_QUERIES; q++) {
  const query = ds.row('queries', q);
  const top = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += query[j] * data[i * d + j];
    const score = s / norms[i];
    if (top.length < 10 || score > top[top.length - 1][0]) {
      top.push([score, i]);
      top.sort((a, b) => b[0] - a[0]);
      if (top.length > 10) top.pop();
    }
  }
  const truth = new Set(top.map(([, i]) => i));
  for (const id of results[q]) if (truth.has(id)) hits++;
}
fs.rmSync(dir, { recursive: true, force: true });

const lines = [
  '## One 1M shard (synthetic 1,000,000 x 100, cosine)',
  '',
  ...provenance('npm run bench:shard-1m'),
  '',
  `SYNTHETIC data: GloVe's ${fmt(ds.baseCount)} words plus ${COPIES - 1} copies, each turned by ${ROTATIONS} random Givens rotations of up to ±0.3 rad and perturbed by Gaussian noise of 5% of a component's RMS (bench/shard-1m.mjs). Copies of one data set cluster more than real data, so treat recall and speed here as indicative.`,
  '',
  '| measured | value |',
  '| --- | --- |',
  `| items | ${fmt(n)} |`,
  `| add (1M add() calls, one transaction per pending batch) | ${fmt(addMs / 1000, 1)} s |`,
  `| default build, 2 threads, seed 42 | ${fmt(build.durationMs / 1000, 1)} s |`,
  `| snapshot | ${fmt(snapshot.bytes / 1e6, 1)} MB, ${fmt(snapshot.bytes / n)} bytes per vector (raw float32: ${d * 4}) |`,
  `| fresh process: verified open, first query | ${fmt(cold.openMs, 0)} ms, ${fmt(cold.firstQueryMs, 1)} ms (RSS after: ${fmt(cold.rss / 2 ** 20)} MiB) |`,
  `| default search, k = 10, one thread | ${fmt(qps)} QPS over ${fmt(QUERIES)} GloVe queries |`,
  `| recall@10 of the default search (brute force over the 1M, ${TRUTH_QUERIES} queries) | ${fmt(hits / (TRUTH_QUERIES * 10), 3)} |`,
];
process.stdout.write(`${lines.join('\n')}\n`);
writeSection(path.join(import.meta.dirname, 'RESULTS.md'), lines);
