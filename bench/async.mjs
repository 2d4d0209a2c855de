#!/usr/bin/env node
// Throughput off the main thread: GloVe (200,000 × 100, cosine, default
// search options, k = 10), measured side by side in one run:
//   - a synchronous loop of search() (one core: the baseline),
//   - 64 concurrent searchAsync() calls from one event loop, with the
//     lateness of a 1 ms timer sampled throughout (is the loop responsive?),
//   - searchBatch() over all queries as one matrix, 1 thread and every core.
// Every mode must return the same ids as the synchronous loop; recall@10 is
// against the data set's exact ground truth. Each mode's QPS is the best of
// PASSES passes, the modes interleaved pass by pass so that a load spike on a
// shared machine hits them alike.
//
//   npm run bench:async                       # prints the section
//   npm run bench:async -- --items 100000     # a subset (recall is then not reported)
//   npm run bench:async -- --concurrency 32
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { loadDataset, recallAtK } from '../test/helpers/datasets.mjs';
import { Index } from '../dist/index.mjs';
import { buildIndexOf, fmt, isMain, provenance } from './lib/common.mjs';

const PASSES = 5;
const K = 10;

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

/** Runs `body` while a 1 ms timer re-arms itself; the lateness of each firing, in ms, sorted. */
async function withTimerLag(body) {
  const lags = [];
  let expected = performance.now() + 1;
  let timer;
  const tick = () => {
    const now = performance.now();
    lags.push(Math.max(0, now - expected));
    expected = now + 1;
    timer = setTimeout(tick, 1);
  };
  timer = setTimeout(tick, 1);
  try {
    await body();
  } finally {
    clearTimeout(timer);
  }
  return lags.sort((a, b) => a - b);
}

/** Times `body`: wall ms and the cores this process kept busy meanwhile (CPU time / wall time). */
async function timed(body) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await body();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ...value, ms, cores: (used.user + used.system) / 1000 / ms };
}

async function concurrentPass(index, queries, concurrency) {
  const results = new Array(queries.length);
  let next = 0;
  const lane = async () => {
    while (next < queries.length) {
      const q = next++;
      results[q] = (await index.searchAsync(queries[q], { k: K })).map((n) => n.id);
    }
  };
  return timed(async () => ({ lags: await withTimerLag(() => Promise.all(Array.from({ length: concurrency }, lane))), results }));
}

function syncPass(index, queries) {
  return timed(() => ({ results: queries.map((q) => index.search(q, { k: K }).map((n) => n.id)) }));
}

async function batchPass(index, matrix, rows, threads) {
  return timed(async () => {
    const out = await index.searchBatch(matrix, { k: K, threads });
    return { results: Array.from({ length: rows }, (_, r) => Array.from(out.ids.subarray(r * K, r * K + out.counts[r]))) };
  });
}

/**
 * The control: how many cores `threads` JS threads doing nothing but
 * arithmetic get from this machine for `ms`. The ceiling of "cores busy" for
 * any mode in this run; on an idle machine it equals the thread count.
 */
async function spinCores(threads, ms = 1500) {
  const code = `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);`;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: threads }, () => new Promise((resolve) => new Worker(code, { eval: true }).on('exit', resolve))));
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / (performance.now() - started);
}

const same = (a, b) => a.length === b.length && a.every((row, i) => row.length === b[i].length && row.every((id, j) => id === b[i][j]));

export async function asyncSection({ items, concurrency = 64 } = {}) {
  const ds = loadDataset('glove-100-angular');
  const count = Math.min(items ?? ds.baseCount, ds.baseCount);
  console.error(`glove-100-angular: building ${count.toLocaleString('en-US')} items ...`);
  const built = await buildIndexOf(ds, 'async', {}, count);
  const queries = Array.from({ length: ds.queryCount }, (_, q) => ds.row('queries', q));
  const matrix = new Float32Array(queries.length * ds.dim);
  queries.forEach((q, i) => matrix.set(q, i * ds.dim));
  const threads = Index.searchThreads;

  const modes = {
    sync: { label: 'search(), synchronous loop', best: Infinity },
    async: { label: `searchAsync(), ${concurrency} in flight`, best: Infinity, lags: [] },
    batch1: { label: 'searchBatch(), 1 thread', best: Infinity },
    batchAll: { label: `searchBatch(), ${threads} threads`, best: Infinity },
  };
  const loadBefore = os.loadavg();
  const controlBefore = await spinCores(threads);
  let reference;
  let mismatches = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    console.error(`pass ${pass + 1}/${PASSES} ...`);
    const s = await syncPass(built.index, queries);
    reference ??= s.results;
    const a = await concurrentPass(built.index, queries, concurrency);
    const b1 = await batchPass(built.index, matrix, queries.length, 1);
    const bn = await batchPass(built.index, matrix, queries.length, threads);
    for (const r of [s, a, b1, bn]) if (!same(r.results, reference)) mismatches++;
    for (const [mode, r] of [[modes.sync, s], [modes.async, a], [modes.batch1, b1], [modes.batchAll, bn]]) {
      if (r.ms < mode.best) [mode.best, mode.cores] = [r.ms, r.cores];
    }
    modes.async.allLags = [...(modes.async.allLags ?? []), ...a.lags];
  }
  const controlAfter = await spinCores(threads);
  const loadAfter = os.loadavg();
  const recall = count === ds.baseCount ? recallAtK(reference, ds, K) : undefined;
  const qps = (ms) => queries.length / (ms / 1000);
  const syncQps = qps(modes.sync.best);
  const allLags = modes.async.allLags.sort((x, y) => x - y);

  const lines = [`## Async search (GloVe ${count.toLocaleString('en-US')} × 100, k = 10, default searchK)`, ''];
  lines.push(
    `${queries.length.toLocaleString('en-US')} queries per pass, best of ${PASSES} passes, the four modes interleaved in each pass. searchAsync and searchBatch run on the native search pool (${threads} threads, one per core); "vs sync" is the ratio to the synchronous loop measured in the same run; "cores busy" is this process's CPU time over the wall time of that best pass (at most 1 for the loop, 2 here for the pool: less means the machine gave the process less), and QPS per busy core what each mode gets out of the CPU it was given (the async path's overhead shows as a lower figure than the loop's). Timer lag: how late a self-rearming 1 ms setTimeout fired while the ${concurrency} async searches ran (every pass pooled). Load average (1, 5, 15 min) before ${loadBefore.map((l) => l.toFixed(2)).join(', ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(', ')}. Control: ${threads} JS threads spinning on arithmetic got ${controlBefore.toFixed(2)} cores before the passes and ${controlAfter.toFixed(2)} after (${threads} on an idle machine): the most any mode here could keep busy.`,
    '',
  );
  lines.push('| mode | QPS | vs sync | cores busy | QPS per busy core |', '| --- | ---: | ---: | ---: | ---: |');
  for (const m of Object.values(modes)) {
    lines.push(`| ${m.label} | ${fmt(qps(m.best))} | ${(qps(m.best) / syncQps).toFixed(2)}× | ${m.cores.toFixed(2)} | ${fmt(qps(m.best) / m.cores)} |`);
  }
  lines.push('');
  lines.push(
    `Timer lag during searchAsync: p50 ${percentile(allLags, 50).toFixed(2)} ms, p99 ${percentile(allLags, 99).toFixed(2)} ms, max ${allLags[allLags.length - 1].toFixed(2)} ms (${allLags.length.toLocaleString('en-US')} firings).`,
    `Every mode returned the same ids as the synchronous loop: ${mismatches === 0 ? 'yes' : `no (${mismatches} passes differed)`}.${recall === undefined ? '' : ` Recall@10: ${recall.toFixed(3)}.`}`,
    '',
  );
  built.close();
  return lines;
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { items: { type: 'string' }, concurrency: { type: 'string' } } });
  const lines = await asyncSection({ items: values.items && Number(values.items), concurrency: values.concurrency ? Number(values.concurrency) : 64 });
  console.log([...provenance(`npm run bench:async${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`), '', ...lines].join('\n'));
}
