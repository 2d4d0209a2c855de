#!/usr/bin/env node
// npm run bench:peers -- --dataset glove|fashion [--fraction 0.25|0.5|1] [--only id,id,...]
//
// arroy-ts against its peers on one dataset, in one run, on this machine: arroy-ts, hnswlib-node
// and usearch through their npm packages, Annoy and hnswlib through their C++ APIs (headers from
// Debian packages, compiled into the git-ignored bench/peers/build/). For each configuration of
// bench/peers/libraries.mjs: a build process (time, threads, file bytes), a search process
// (recall@10 and single-thread QPS over a knob sweep, its peak RSS) and five fresh processes that
// open the index and answer one query (cold start, page cache warm).
//
// The run is saved as bench/peers/results/<dataset>@<fraction>.json; bench/PEERS.md and the
// curves (bench/peers-<dataset>.svg) are then rendered from every saved run, so the scaling
// table fills in as the --fraction runs are made.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepare } from './data.mjs';
import { libraryConfigs, STOP_RECALL } from './libraries.mjs';
import { commit, machine } from '../lib/common.mjs';
import { render } from './report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);

const ALIASES = { glove: 'glove-100-angular', fashion: 'fashion-mnist-784-euclidean' };
const datasetArg = flag('--dataset');
if (args.includes('--report')) {
  render();
  process.exit(0);
}
if (!datasetArg) {
  console.error('usage: npm run bench:peers -- --dataset glove|fashion [--fraction 0.25|0.5|1] [--only id,...] | --report');
  process.exit(2);
}
const dataset = ALIASES[datasetArg] ?? datasetArg;
const fraction = Number(flag('--fraction', '1'));
if (![0.25, 0.5, 1].includes(fraction)) throw new Error('--fraction must be 0.25, 0.5 or 1');
const only = flag('--only')?.split(',');
// Sweeps stop at this recall (default STOP_RECALL); a scaling run that needs only QPS at 0.90 can stop sooner.
const stopRecall = Number(flag('--stop', String(STOP_RECALL)));
const COLD_RUNS = 7;
const cores = os.cpus().length;

// ------------------------------------------------------------------ tools

function nativeTool() {
  execFileSync('bash', [path.join(here, 'native', 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  return path.join(here, 'build', 'peer_bench');
}

function lastJson(stdout) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

// Runs one process to completion; returns its JSON and its wall time (spawn to exit).
function runProcess(command, argv, { quiet = false } = {}) {
  const t0 = performance.now();
  const r = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'] });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${command} ${argv.slice(0, 3).join(' ')} failed (${r.status}): ${r.stderr ?? ''}`);
  return { ...lastJson(r.stdout), wall_ms: wallMs };
}

const node = process.execPath;
const child = path.join(here, 'child.mjs');
const nodeJob = (job, options) => runProcess(node, [child, JSON.stringify(job)], options);

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function versions() {
  const pkg = (name) => JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', name, 'package.json'), 'utf8')).version;
  const deb = (name) => {
    try {
      return execFileSync('dpkg-query', ['-W', '-f=${Version}', name], { encoding: 'utf8' });
    } catch {
      return 'unknown';
    }
  };
  return { 'hnswlib-node': pkg('hnswlib-node'), usearch: pkg('usearch'), 'r-cran-rcppannoy': deb('r-cran-rcppannoy'), 'libhnswlib-dev': deb('libhnswlib-dev') };
}

// ------------------------------------------------------------------ the run

const tool = nativeTool();
const meta = prepare(dataset, fraction, (dir) => runProcess(tool, ['truth', dir]));
console.error(`${dataset} at ${fraction}: ${meta.n} x ${meta.dim}, ${meta.queryCount} queries`);
const { Index } = await import('../../dist/index.mjs');

const bare = [];
for (let i = 0; i < COLD_RUNS; i++) bare.push(nodeJob({ phase: 'bare', lib: 'arroy-ts', dataDir: meta.dir }, { quiet: true }));
const results = [];
const configs = libraryConfigs(dataset, cores).filter((c) => !only || only.includes(c.id) || only.includes(c.library));
const coldDone = new Set();
for (const c of configs) {
  const file = path.join(os.tmpdir(), `arroy-peers-${process.pid}-${c.id}.index`);
  console.error(`${c.label}: build ...`);
  let built;
  let searched;
  if (c.kind === 'cpp') {
    built = runProcess(tool, ['build', c.lib, meta.dir, file, ...c.build]);
    console.error(`${c.label}: search ...`);
    searched = runProcess(tool, ['search', c.lib, meta.dir, file, c.knobs.join(','), String(stopRecall)]);
  } else {
    built = nodeJob({ phase: 'build', lib: c.library, dataDir: meta.dir, file, config: c.config });
    console.error(`${c.label}: search ...`);
    searched = nodeJob({ phase: 'search', lib: c.library, dataDir: meta.dir, file, config: c.config, knobs: c.knobs, stopRecall });
  }
  const result = { id: c.id, library: c.library, label: c.label, kind: c.kind, knob: c.knob ?? c.config.knob, ...built, search: searched };
  if (c.library === 'arroy-ts' && built.trees) result.label = `arroy-ts, ${built.trees} trees${c.config.build.trees ? '' : ' (default)'}`;
  // Serving memory: a fresh process at the smallest knob reaching recall 0.95.
  const servePoint = searched.points.find((p) => p.recall >= 0.95) ?? searched.points[searched.points.length - 1];
  const served =
    c.kind === 'cpp'
      ? runProcess(tool, ['search', c.lib, meta.dir, file, String(servePoint.knob), '0'], { quiet: true })
      : nodeJob({ phase: 'serve', lib: c.library, dataDir: meta.dir, file, config: c.config, knob: servePoint.knob }, { quiet: true });
  result.serve = { knob: servePoint.knob, recall: servePoint.recall, peak_rss_bytes: served.peak_rss_bytes, rss_file_bytes: served.rss_file_bytes, rss_anon_bytes: served.rss_anon_bytes };
  // Cold start: once per library, at the smallest knob of the sweep reaching recall 0.95.
  if (!coldDone.has(c.library)) {
    coldDone.add(c.library);
    const point = searched.points.find((p) => p.recall >= 0.95) ?? searched.points[searched.points.length - 1];
    const runs = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      runs.push(
        c.kind === 'cpp'
          ? runProcess(tool, ['cold', c.lib, meta.dir, file, String(point.knob)], { quiet: true })
          : nodeJob({ phase: 'cold', lib: c.library, dataDir: meta.dir, file, config: c.config, knob: point.knob }, { quiet: true }),
      );
    }
    const pick = (key) => (runs[0][key] === undefined ? undefined : median(runs.map((r) => r[key])));
    result.cold = { knob: point.knob, runs: runs.length, wall_ms: pick('wall_ms'), node_start_ms: pick('node_start_ms'), import_ms: pick('import_ms'), open_ms: pick('open_ms'), first_query_ms: pick('first_query_ms') };
  }
  results.push(result);
  for (const f of [file, `${file}-lock`]) fs.rmSync(f, { force: true });
}

const out = {
  dataset,
  fraction,
  n: meta.n,
  dim: meta.dim,
  metric: meta.metric,
  queries: meta.queryCount,
  raw_bytes: meta.n * meta.dim * 4,
  command: `npm run bench:peers -- ${args.join(' ')}`,
  machine: machine(),
  simd: Index.simd,
  commit: commit(),
  date: new Date().toISOString().slice(0, 16).replace('T', ' '),
  versions: versions(),
  bare_node: { wall_ms: median(bare.map((b) => b.wall_ms)), node_start_ms: median(bare.map((b) => b.node_start_ms)), peak_rss_bytes: median(bare.map((b) => b.peak_rss_bytes)) },
  results,
};
const resultsDir = path.join(here, 'results');
fs.mkdirSync(resultsDir, { recursive: true });
// A partial run (--only) merges into the saved run of the same dataset and fraction.
const saved = path.join(resultsDir, `${dataset}@${fraction}.json`);
if (only && fs.existsSync(saved)) {
  const previous = JSON.parse(fs.readFileSync(saved, 'utf8'));
  const replaced = new Set(results.map((r) => r.id));
  out.results = [...previous.results.filter((r) => !replaced.has(r.id)), ...results];
  out.partial = `${previous.partial ? `${previous.partial}; ` : ''}${previous.date}: all but ${[...replaced].join(', ')}`;
}
fs.writeFileSync(saved, `${JSON.stringify(out, null, 1)}\n`);
render();
