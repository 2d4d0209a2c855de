#!/usr/bin/env node
// npm run bench:shards: the per-shard figures the README's 100M x 768 plan is
// extrapolated from. On Fashion-MNIST (60,000 x 784, euclidean; the closest
// dimension to 768 among the shared data sets): one shard's default build
// time, snapshot bytes and bytes per vector, and its search latency (p50, p99,
// default and exact) with recall@10; then the same items split into 4 shards
// (splitIndex), each served by its own process (examples/lambda-shards), and
// the fan-out's latency through the router next to its slowest shard's.
// Writes its section into bench/RESULTS.md.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitIndex } from '../dist/index.mjs';
import { startDeployment } from '../examples/lambda-shards/invoke.mjs';
import { loadDataset, recallAtK } from '../test/helpers/datasets.mjs';
import { buildIndexOf, fmt, provenance, writeSection } from './lib/common.mjs';

const QUERIES = 1000;
const SHARDS = 4;

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

function latencies(ds, search) {
  const times = [];
  const results = [];
  for (let q = 0; q < QUERIES; q++) {
    const query = ds.row('queries', q);
    const t = performance.now();
    results.push(search(query).map((n) => n.id));
    times.push(performance.now() - t);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), recall: recallAtK(results, ds, 10) };
}

const ds = loadDataset('fashion-mnist-784-euclidean');
const whole = await buildIndexOf(ds, 'shards');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-bench-shards-'));
const snapshot = await whole.index.snapshot(path.join(dir, 'whole.arroy'));
const byDefault = latencies(ds, (v) => whole.index.search(v, { k: 10 }));
const exact = latencies(ds, (v) => whole.index.search(v, { k: 10, strategy: 'exact' }));
const split = await splitIndex(whole.index, path.join(dir, 'split'), { shards: SHARDS, build: { seed: 42 } });
whole.close();

const deployment = await startDeployment(split.shards.map((s) => s.path));
const fan = { total: [], slowest: [], merge: [] };
const fanResults = [];
try {
  for (let q = 0; q < QUERIES; q++) {
    const t = performance.now();
    const answer = await deployment.router({ vector: Array.from(ds.row('queries', q)), k: 10 });
    fan.total.push(performance.now() - t);
    fan.slowest.push(Math.max(...answer.shardMs));
    fan.merge.push(answer.mergeMs);
    fanResults.push(answer.neighbors.map((n) => n.id));
  }
} finally {
  deployment.stop();
}
fs.rmSync(dir, { recursive: true, force: true });

const perVector = snapshot.bytes / ds.baseCount;
const lines = [
  '## Shards (per-shard figures for the 100M x 768 plan)',
  '',
  ...provenance('npm run bench:shards'),
  '',
  `One index of Fashion-MNIST, ${fmt(ds.baseCount)} x ${ds.dim} euclidean, default build (seed 42):`,
  '',
  '| measured | value |',
  '| --- | --- |',
  `| build (default, graph included) | ${fmt(whole.build.durationMs / 1000, 1)} s |`,
  `| snapshot | ${fmt(snapshot.bytes / 1e6, 1)} MB, ${fmt(perVector)} bytes per vector (raw float32: ${ds.dim * 4}) |`,
  `| search, default (k=10), p50 / p99 | ${fmt(byDefault.p50, 2)} / ${fmt(byDefault.p99, 2)} ms, recall@10 ${fmt(byDefault.recall, 3)} |`,
  `| search, exact (k=10), p50 / p99 | ${fmt(exact.p50, 2)} / ${fmt(exact.p99, 2)} ms |`,
  '',
  `Split into ${SHARDS} shards (splitIndex, by hash), each in its own process on loopback HTTP (examples/lambda-shards), ${QUERIES} queries one at a time:`,
  '',
  '| measured | value |',
  '| --- | --- |',
  `| shard items | ${split.shards.map((s) => fmt(s.count)).join(', ')} |`,
  `| shard builds | ${split.shards.map((s) => fmt(s.buildMs / 1000, 1)).join(', ')} s |`,
  `| shard snapshots | ${split.shards.map((s) => fmt(s.bytes / 1e6, 1)).join(', ')} MB |`,
  `| fan-out through the router, p50 / p99 | ${fmt(quantile(fan.total, 0.5), 2)} / ${fmt(quantile(fan.total, 0.99), 2)} ms |`,
  `| slowest shard's search, p50 / p99 | ${fmt(quantile(fan.slowest, 0.5), 2)} / ${fmt(quantile(fan.slowest, 0.99), 2)} ms |`,
  `| merge (mergeNeighbors), p50 | ${fmt(quantile(fan.merge, 0.5), 3)} ms |`,
  `| recall@10 of the fan-out (default search per shard) | ${fmt(recallAtK(fanResults, ds, 10), 3)} |`,
  '',
  'The machine has 2 cores shared with other jobs: the 4 shard processes share them too, so the fan-out here is slower than 4 functions with a core each.',
];
process.stdout.write(`${lines.join('\n')}\n`);
writeSection(path.join(import.meta.dirname, 'RESULTS.md'), lines);
