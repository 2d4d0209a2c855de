#!/usr/bin/env node
// npm run bench:micro [-- --fraction 0.25|0.5|1]
//
// Micro-benchmarks with tinybench, on the prepared data of bench:peers (bench/peers/data.mjs):
// the distance kernels as a JS caller reaches them (distanceBetween: N-API call, two slot
// lookups, one kernel), a plain-JS kernel on the same vectors for scale, and one search: at
// the default searchK, at the smallest work (searchK 1: one bucket of one tree; the fixed cost
// of a call), and through searchIds (no result objects). One index per dataset, default build.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { Index } from '../../dist/index.mjs';
import { prepare, readBase, readQueries } from './data.mjs';

const args = process.argv.slice(2);
const fraction = Number(args.includes('--fraction') ? args[args.indexOf('--fraction') + 1] : '0.25');
const here = path.dirname(fileURLToPath(import.meta.url));
// Ground truth of a fraction (not used by the timings, but prepare() writes it): the peers' C++ tool.
const truthTool = (dir) => {
  execFileSync('bash', [path.join(here, 'native', 'build.sh')], { stdio: 'inherit' });
  execFileSync(path.join(here, 'build', 'peer_bench'), ['truth', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
};

function jsCosine(a, b) {
  let s = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return 1 - s / Math.sqrt(na * nb);
}

function jsEuclidean(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

const rows = [];
for (const name of ['glove-100-angular', 'fashion-mnist-784-euclidean']) {
  const meta = prepare(name, fraction, truthTool);
  const base = readBase(meta);
  const queries = readQueries(meta);
  const file = path.join(os.tmpdir(), `arroy-micro-${process.pid}-${name}.arroy`);
  const index = Index.open(file, { dimensions: meta.dim, distance: meta.metric });
  for (let i = 0; i < meta.n; i++) index.add(i, base.subarray(i * meta.dim, (i + 1) * meta.dim));
  await index.build({ seed: 42 });
  const row = (i) => base.subarray(i * meta.dim, (i + 1) * meta.dim);
  const query = (i) => queries.subarray(i * meta.dim, (i + 1) * meta.dim);
  const js = meta.metric === 'cosine' ? jsCosine : jsEuclidean;
  let q = 0;
  let pair = 0;
  const next = () => (q = (q + 1) % meta.queryCount);
  const label = `${name} (${meta.n.toLocaleString('en-US')} × ${meta.dim}, ${index.trees} trees)`;
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench
    .add(`distanceBetween(a, b): N-API + 2 lookups + ${meta.metric} kernel`, () => {
      pair = (pair + 7919) % meta.n;
      index.distanceBetween(pair, (pair * 31 + 1) % meta.n);
    })
    .add(`plain JS ${meta.metric} on two Float32Arrays`, () => {
      pair = (pair + 7919) % meta.n;
      js(row(pair), row((pair * 31 + 1) % meta.n));
    })
    .add('search(q, { k: 10 }) at the default searchK', () => index.search(query(next()), { k: 10 }))
    .add('searchIds(q, { k: 10 }) at the default searchK', () => index.searchIds(query(next()), { k: 10 }))
    .add('search(q, { k: 10, searchK: 1 }): the fixed cost of a call', () => index.search(query(next()), { k: 10, searchK: 1 }));
  await bench.run();
  for (const task of bench.tasks) {
    const r = task.result;
    // tinybench reports milliseconds; the median is the figure a busy machine disturbs least.
    const mean = r.latency?.mean ?? r.mean;
    const p50 = r.latency?.p50 ?? r.p50 ?? mean;
    const p99 = r.latency?.p99 ?? r.p99;
    rows.push(`| ${label} | ${task.name} | ${(p50 * 1000).toFixed(2)} | ${(mean * 1000).toFixed(2)} | ${(p99 * 1000).toFixed(2)} | ${Math.round(1000 / p50).toLocaleString('en-US')} |`);
  }
  index.close();
  for (const f of [file, `${file}-lock`]) fs.rmSync(f, { force: true });
}
const out = [
  `Micro-benchmarks (tinybench, \`npm run bench:micro -- --fraction ${fraction}\`), SIMD ${Index.simd}, Node ${process.version}, ${os.cpus()[0]?.model}, ${os.cpus().length} cores. Wall clock (tinybench), so a busy machine inflates them.`,
  '',
  '| index | task | median µs | mean µs | p99 µs | ops/s at the median |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  ...rows,
];
console.log(out.join('\n'));
