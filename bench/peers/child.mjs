// One phase of one Node library in a process of its own, so that its peak RSS is its own:
//   node bench/peers/child.mjs '<json>'   with { phase: build|search|cold, lib, dataDir, file, config, ... }
// Prints one JSON object on the last line of stdout.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const started = performance.now(); // ms since this process's time origin: Node's own start-up
const job = JSON.parse(process.argv[2]);

function memory() {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (field) => Number((status.match(new RegExp(`^${field}:\\s+(\\d+)`, 'm')) ?? [0, -1])[1]) * 1024;
  return { peak_rss_bytes: kb('VmHWM'), rss_bytes: kb('VmRSS'), rss_anon_bytes: kb('RssAnon'), rss_file_bytes: kb('RssFile') };
}

const { NODE_LIBRARIES } = await import('./node-adapters.mjs');
const { readMeta, readBase, readQueries, readTruth, recall } = await import('./data.mjs');
const adapter = NODE_LIBRARIES[job.lib];
if (!adapter) throw new Error(`unknown library ${job.lib}`);
const meta = readMeta(job.dataDir);
const MAX_PASSES = 3;
const PASS_BUDGET_MS = 4000; // a pass slower than this is not repeated

let out;
if (job.phase === 'build') {
  const lib = await adapter.load();
  const base = readBase(meta);
  const t0 = performance.now();
  const built = await adapter.build(lib, meta, base, job.config, job.file);
  const seconds = (performance.now() - t0) / 1000;
  out = { build_seconds: seconds, build_threads: built.threads, index_bytes: fs.statSync(job.file).size, ...built };
} else if (job.phase === 'search') {
  const lib = await adapter.load();
  const queries = readQueries(meta);
  const truth = readTruth(meta);
  const rows = Array.from({ length: meta.queryCount }, (_, q) => queries.subarray(q * meta.dim, (q + 1) * meta.dim));
  const t0 = performance.now();
  const searcher = adapter.open(lib, meta, job.file, job.config);
  const openMs = performance.now() - t0;
  for (const q of rows) searcher.prepare?.(q);
  const points = [];
  let sink = 0;
  for (const knob of job.knobs) {
    searcher.setKnob(knob);
    // Untimed pass: recall (and the work per query where the API reports it), warm-up.
    let work;
    let results;
    if (searcher.detailed) {
      const detailed = rows.map((q) => searcher.detailed(q));
      results = detailed.map((d) => d.ids);
      work = detailed.reduce((sum, d) => sum + d.work, 0) / rows.length;
    } else {
      results = rows.map((q) => searcher.ids(searcher.query(q)));
    }
    const r = recall(meta, truth, results);
    // Timed on the CPU time of this process (user + system, every thread), not the wall clock:
    // on a shared machine the wall clock also counts the time other processes held the core.
    let best = Infinity;
    let bestWall = Infinity;
    let passes = 0;
    while (passes < MAX_PASSES) {
      const wall = performance.now();
      const cpu = process.cpuUsage();
      for (const q of rows) sink += searcher.query(q) === undefined ? 1 : 0;
      const used = process.cpuUsage(cpu);
      const took = (used.user + used.system) / 1000;
      const tookWall = performance.now() - wall;
      best = Math.min(best, took);
      bestWall = Math.min(bestWall, tookWall);
      passes++;
      if (took > PASS_BUDGET_MS) break;
    }
    const point = { knob, recall: r, qps: meta.queryCount / (best / 1000), wall_qps: meta.queryCount / (bestWall / 1000), passes };
    if (work !== undefined) point.work = work;
    points.push(point);
    process.stderr.write(`  ${job.lib} ${job.config.knob}=${knob} recall@10=${r.toFixed(4)} qps=${point.qps.toFixed(0)}\n`);
    if (r >= job.stopRecall) break;
  }
  searcher.close();
  out = { open_ms: openMs, ...memory(), points, sink };
} else if (job.phase === 'cold') {
  const t0 = performance.now();
  const lib = await adapter.load();
  const t1 = performance.now();
  const searcher = adapter.open(lib, meta, job.file, job.config);
  searcher.setKnob(job.knob); // usearch: views the file with this ef, so it belongs to the open
  const t2 = performance.now();
  const fd = fs.openSync(`${job.dataDir}/queries.f32`, 'r');
  const q = new Float32Array(meta.dim);
  fs.readSync(fd, new Uint8Array(q.buffer), 0, q.byteLength, 0);
  fs.closeSync(fd);
  const t3 = performance.now();
  const ids = searcher.ids(searcher.query(q));
  const t4 = performance.now();
  out = { node_start_ms: started, import_ms: t1 - t0, open_ms: t2 - t1, first_query_ms: t4 - t3, results: ids.length, ...memory() };
} else if (job.phase === 'serve') {
  // Serving memory: a fresh process opens the index, sets one knob and answers every query
  // twice; its peak RSS is what a server at that recall needs (the sweep's process may hold
  // more: usearch, for one, keeps every view() it made until collected).
  const lib = await adapter.load();
  const queries = readQueries(meta);
  const rows = Array.from({ length: meta.queryCount }, (_, q) => queries.subarray(q * meta.dim, (q + 1) * meta.dim));
  const searcher = adapter.open(lib, meta, job.file, job.config);
  searcher.setKnob(job.knob);
  for (const q of rows) searcher.prepare?.(q);
  let sink = 0;
  for (let pass = 0; pass < 2; pass++) for (const q of rows) sink += searcher.query(q) === undefined ? 1 : 0;
  out = { knob: job.knob, ...memory(), sink };
} else if (job.phase === 'bare') {
  // Node itself, for reference: start-up and memory with nothing loaded.
  out = { node_start_ms: started, ...memory() };
} else {
  throw new Error(`unknown phase ${job.phase}`);
}
process.stdout.write(`\n${JSON.stringify(out)}\n`);
