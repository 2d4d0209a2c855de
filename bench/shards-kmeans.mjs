#!/usr/bin/env node
// npm run bench:shards (second part): hash against k-means, 8 shards of
// GloVe's 200,000 words (100-d, cosine), each shard a default build (seed 42).
// For each split: its time, shard sizes and snapshot bytes; searched in this
// process (ShardSet: searchAsync on each probed shard, merged) for QPS and
// recall@10 against the data set's ground truth, all shards and, for k-means,
// probing 1 to 4; then each shard in its own process behind the
// lambda-shards router for the latency through HTTP and each process's RSS.
// Writes its section into bench/RESULTS.md.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Index, ShardSet, splitIndex } from '../dist/index.mjs';
import { startDeployment } from '../examples/lambda-shards/invoke.mjs';
import { loadDataset, recallAtK } from '../test/helpers/datasets.mjs';
import { fmt, provenance, tempIndexFile, writeSection } from './lib/common.mjs';

const SHARDS = 8;
const QUERIES = 1000;
const ROUTER_QUERIES = 300;
const PROBES = [1, 2, 3, 4];

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

const ds = loadDataset('glove-100-angular');
const temp = tempIndexFile('shards-kmeans');
const source = Index.open(temp.file, { dimensions: ds.dim, distance: ds.distance });
for (let i = 0; i < ds.baseCount; i++) source.add(i, ds.row('base', i));
// The source only has to hold the items (and answer the curve's exact searches): one tree, no graph.
await source.build({ seed: 42, graph: false, trees: 1 });
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-bench-kmeans-'));

async function inProcess(set, probe) {
  const results = [];
  let touched = 0;
  const started = performance.now();
  for (let q = 0; q < QUERIES; q++) {
    const answer = await set.search(ds.row('queries', q), { k: 10, probe });
    touched += answer.shards.length;
    results.push(answer.neighbors.map((n) => n.id));
  }
  const seconds = (performance.now() - started) / 1000;
  return { probe: probe ?? SHARDS, qps: QUERIES / seconds, recall: recallAtK(results, ds, 10), touched: touched / QUERIES };
}

async function throughRouter(dir, probe) {
  const deployment = await startDeployment(dir);
  try {
    const times = [];
    for (let q = 0; q < ROUTER_QUERIES; q++) {
      const t = performance.now();
      await deployment.router({ vector: Array.from(ds.row('queries', q)), k: 10, probe });
      times.push(performance.now() - t);
    }
    return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), rss: deployment.pids.map(rssOf) };
  } finally {
    deployment.stop();
  }
}

const runs = {};
for (const by of ['hash', 'kmeans']) {
  const dir = path.join(root, by);
  const split = await splitIndex(source, dir, { shards: SHARDS, by, build: { seed: 42 } });
  const set = ShardSet.open(dir);
  const rows = [await inProcess(set)];
  if (by === 'kmeans') for (const probe of PROBES) rows.push(await inProcess(set, probe));
  set.close();
  const router = { all: await throughRouter(dir) };
  if (by === 'kmeans') router.probe2 = await throughRouter(dir, 2);
  runs[by] = { split, rows, router };
  process.stderr.write(`${by}: done\n`);
}
source.close();
temp.remove();
fs.rmSync(root, { recursive: true, force: true });

const mb = (bytes) => fmt(bytes / 1e6, 1);
const lines = [
  '## Shards: hash against k-means (GloVe 200k x 100, 8 shards)',
  '',
  ...provenance('npm run bench:shards'),
  '',
  `GloVe's ${fmt(ds.baseCount)} words split into ${SHARDS} shards by splitIndex, each shard a default build (graph and 2 trees, seed 42), one after another. Search in one process: ShardSet.search (each probed shard's searchAsync, default recall, then mergeNeighbors), ${fmt(QUERIES)} queries one at a time, recall@10 against the data set's ground truth.`,
  '',
  '| | hash | k-means |',
  '| --- | --- | --- |',
  `| split, total (k-means: planning pass) | ${fmt(runs.hash.split.durationMs / 1000, 1)} s | ${fmt(runs.kmeans.split.durationMs / 1000, 1)} s (${fmt(runs.kmeans.split.partitionMs / 1000, 1)} s) |`,
  `| shard builds | ${runs.hash.split.shards.map((s) => fmt(s.buildMs / 1000, 1)).join(', ')} s | ${runs.kmeans.split.shards.map((s) => fmt(s.buildMs / 1000, 1)).join(', ')} s |`,
  `| shard items | ${runs.hash.split.shards.map((s) => fmt(s.count)).join(', ')} | ${runs.kmeans.split.shards.map((s) => fmt(s.count)).join(', ')} |`,
  `| shard snapshots | ${runs.hash.split.shards.map((s) => mb(s.bytes)).join(', ')} MB | ${runs.kmeans.split.shards.map((s) => mb(s.bytes)).join(', ')} MB |`,
  `| bytes per vector | ${fmt(runs.hash.split.shards.reduce((a, s) => a + s.bytes, 0) / ds.baseCount)} | ${fmt(runs.kmeans.split.shards.reduce((a, s) => a + s.bytes, 0) / ds.baseCount)} |`,
  `| k-means curve (held-out items, exact per shard), probe 1..${SHARDS} | — | ${runs.kmeans.split.recall.byProbe.map((r) => fmt(r, 3)).join(' ')} |`,
  '',
  '| search | shards touched per query | QPS (one process) | recall@10 |',
  '| --- | --- | --- | --- |',
  ...runs.hash.rows.map((r) => `| hash, all ${SHARDS} | ${fmt(r.touched, 1)} | ${fmt(r.qps)} | ${fmt(r.recall, 3)} |`),
  ...runs.kmeans.rows.map((r) => `| k-means, ${r.probe === SHARDS ? `all ${SHARDS}` : `probe ${r.probe}`} | ${fmt(r.touched, 1)} | ${fmt(r.qps)} | ${fmt(r.recall, 3)} |`),
  '',
  `Each shard in its own process behind the lambda-shards router (loopback HTTP), ${ROUTER_QUERIES} queries one at a time:`,
  '',
  '| | latency p50 / p99 | RSS per shard process |',
  '| --- | --- | --- |',
  `| hash, all ${SHARDS} | ${fmt(runs.hash.router.all.p50, 2)} / ${fmt(runs.hash.router.all.p99, 2)} ms | ${runs.hash.router.all.rss.map((b) => fmt(b / 2 ** 20)).join(', ')} MiB |`,
  `| k-means, all ${SHARDS} | ${fmt(runs.kmeans.router.all.p50, 2)} / ${fmt(runs.kmeans.router.all.p99, 2)} ms | ${runs.kmeans.router.all.rss.map((b) => fmt(b / 2 ** 20)).join(', ')} MiB |`,
  `| k-means, probe 2 | ${fmt(runs.kmeans.router.probe2.p50, 2)} / ${fmt(runs.kmeans.router.probe2.p99, 2)} ms | ${runs.kmeans.router.probe2.rss.map((b) => fmt(b / 2 ** 20)).join(', ')} MiB |`,
  '',
  'The machine has 2 cores shared with other jobs: the shards share them too, so touching fewer shards shows up as throughput here, where shards on their own machines would show it as fewer invocations (cost) and a lower tail.',
];
process.stdout.write(`${lines.join('\n')}\n`);
writeSection(path.join(import.meta.dirname, 'RESULTS.md'), lines);
