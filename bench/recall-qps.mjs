#!/usr/bin/env node
// Recall/QPS sweep of arroy-ts on the shared datasets, one query thread,
// k = 10, with Annoy's C++ core measured in the same run as the baseline.
// Writes bench/RESULTS.md (command, machine, commit, build time, index size,
// QPS at recall 0.90 and 0.95).
//
//   npm run bench                      # arroy-ts defaults + Annoy baseline, both datasets
//   npm run bench -- --params          # instead: sweep trees x bucket capacity (how the defaults were
//                                      # chosen) into bench/PARAMS.md
//   npm run bench -- --no-annoy        # skip the baseline
//   npm run bench -- --only glove-100-angular   # one dataset (or: --only incremental, --only filtered);
//                                               # prints its tables without writing bench/RESULTS.md
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Index } from '../dist/index.mjs';
import { DATASETS_DIR, loadDataset, recallAtK } from '../test/helpers/datasets.mjs';
import { measureFiltered } from './filtered.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const withParams = args.includes('--params');
const withAnnoy = !args.includes('--no-annoy');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

const DATASETS = [
  { name: 'glove-100-angular', annoyMetric: 'angular', searchK: [1000, 2000, 4000, 8000, 16000, 32000], annoyK: [2000, 5000, 10000, 20000, 50000, 100000] },
  { name: 'fashion-mnist-784-euclidean', annoyMetric: 'euclidean', searchK: [100, 200, 300, 500, 1000, 2000, 4000], annoyK: [100, 200, 500, 1000, 2000, 5000, 10000] },
].filter((d) => !only || d.name === only);
const wants = (section) => !only || only === section || only === 'glove-100-angular';
const PARAM_GRID = { trees: [10, 20, 40], bucketCapacity: [32, 64, 128] };
const PASSES = 3; // best of three passes over all queries damps a shared machine's noise

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, SIMD ${Index.simd}`;
}

function commit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: here, encoding: 'utf8' }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

async function measureArroy(ds, { trees, bucketCapacity, searchK }) {
  const file = path.join(os.tmpdir(), `arroy-bench-${process.pid}-${Date.now()}.arroy`);
  const index = Index.open(file, { dimensions: ds.dim, distance: ds.distance });
  for (let i = 0; i < ds.baseCount; i++) index.add(i, ds.row('base', i));
  const build = await index.build({ seed: 42, trees, bucketCapacity });
  const bytes = fs.statSync(file).size;
  const points = [];
  for (const sk of searchK) {
    let best = Infinity;
    let results;
    for (let pass = 0; pass < PASSES; pass++) {
      const out = [];
      const t = performance.now();
      for (let q = 0; q < ds.queryCount; q++) out.push(index.search(ds.row('queries', q), { k: 10, searchK: sk }));
      best = Math.min(best, performance.now() - t);
      results = out;
    }
    points.push({ searchK: sk, recall: recallAtK(results.map((r) => r.map((n) => n.id)), ds, 10), qps: ds.queryCount / (best / 1000) });
  }
  const trees_ = index.trees;
  index.close();
  for (const f of [file, `${file}-lock`]) fs.rmSync(f, { force: true });
  return { library: 'arroy-ts', trees: trees_, bucketCapacity, buildSeconds: build.durationMs / 1000, bytes, points };
}

function annoyBinary() {
  const bin = path.join(here, 'annoy', 'build', 'annoy_bench');
  if (fs.existsSync(bin)) return bin;
  const built = spawnSync('bash', [path.join(here, 'annoy', 'build.sh')], { stdio: 'inherit' });
  return built.status === 0 && fs.existsSync(bin) ? bin : undefined;
}

function measureAnnoy(bin, ds, metric, trees, searchK) {
  const out = path.join(os.tmpdir(), `annoy-bench-${process.pid}.json`);
  execFileSync(bin, [path.join(DATASETS_DIR, ds.name), metric, String(trees), searchK.join(','), out], { stdio: ['ignore', 'ignore', 'inherit'] });
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out, { force: true });
  return { library: 'Annoy (C++)', trees, buildSeconds: r.build_seconds, bytes: r.index_bytes, points: r.points.map((p) => ({ searchK: p.search_k, recall: p.recall, qps: p.qps })) };
}

// QPS at a recall level, interpolated between the two sweep points around it
// (linear in recall, logarithmic in QPS); undefined if the sweep never gets there.
function qpsAt(points, target) {
  const sorted = [...points].sort((a, b) => a.recall - b.recall);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (a.recall <= target && b.recall >= target) {
      const f = b.recall === a.recall ? 0 : (target - a.recall) / (b.recall - a.recall);
      return Math.exp(Math.log(a.qps) + f * (Math.log(b.qps) - Math.log(a.qps)));
    }
  }
  if (sorted[0] && sorted[0].recall >= target) return Math.max(...sorted.filter((p) => p.recall >= target).map((p) => p.qps));
  return undefined;
}

const fmt = (x, digits = 0) => (x === undefined ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

function summaryRow(r) {
  const label = r.library === 'arroy-ts' ? `arroy-ts, ${r.trees} trees${r.bucketCapacity ? `, buckets ${r.bucketCapacity}` : ''}` : `${r.library}, ${r.trees} trees`;
  return `| ${label} | ${fmt(qpsAt(r.points, 0.9))} | ${fmt(qpsAt(r.points, 0.95))} | ${fmt(r.buildSeconds, 1)} | ${fmt(r.bytes / 1e6, 1)} |`;
}

function sweepTable(r) {
  return [`| searchK | recall@10 | QPS |`, `| ---: | ---: | ---: |`, ...r.points.map((p) => `| ${p.searchK} | ${p.recall.toFixed(3)} | ${fmt(p.qps)} |`)].join('\n');
}

const lines = [];
const started = new Date();
lines.push('# Benchmark results');
lines.push('');
lines.push(`Command: \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\` (bench/recall-qps.mjs)  `);
lines.push(`Machine: ${machine()}  `);
lines.push(`Commit: ${commit()}, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
lines.push('');
lines.push('One query thread, k = 10, recall@10 against the exact ground truth in `../shared/datasets`; QPS is the best of three passes over the 1,000 queries. arroy-ts queries run through Node (TypeScript API → N-API → C++), reading the LMDB file through its memory map; Annoy runs as a C++ program (`-O3 -march=native`) on its own mmapped file. Both are measured in this one run, on this machine, one after the other. QPS at a recall level is interpolated between the two sweep points around it. Build uses every core; index bytes is the file size.');
lines.push('');

// Incremental builds on GloVe: the time of a build after adding, deleting or
// overwriting 1% of the items, against the full build, and recall at one
// searchK against a fresh full build over the same items.
async function measureIncremental(ds, searchK) {
  const file = path.join(os.tmpdir(), `arroy-bench-inc-${process.pid}.arroy`);
  const index = Index.open(file, { dimensions: ds.dim, distance: ds.distance });
  const batch = Math.round(ds.baseCount / 100);
  const held = ds.baseCount - batch; // the last 1% is held back to be added later
  for (let i = 0; i < held; i++) index.add(i, ds.row('base', i));
  const full = await index.build({ seed: 42 });
  const recall = (ix) => {
    const out = [];
    for (let q = 0; q < ds.queryCount; q++) out.push(ix.search(ds.row('queries', q), { k: 10, searchK }).map((n) => n.id));
    return recallAtK(out, ds, 10);
  };
  const rows = [];
  const step = async (label, change) => {
    change();
    const result = await index.build();
    rows.push({ label, ms: result.durationMs, incremental: result.incremental, recall: recall(index) });
  };
  rows.push({ label: `full build of ${held.toLocaleString('en-US')} items`, ms: full.durationMs, incremental: false, recall: recall(index) });
  await step(`add ${batch.toLocaleString('en-US')} new items (1%)`, () => {
    for (let i = held; i < ds.baseCount; i++) index.add(i, ds.row('base', i));
  });
  await step(`delete ${batch.toLocaleString('en-US')} items`, () => {
    for (let i = 0; i < batch; i++) index.delete(i * 97);
  });
  await step(`overwrite ${batch.toLocaleString('en-US')} items`, () => {
    // New vectors: each item takes the vector of another (a real change of position).
    for (let i = 0; i < batch; i++) index.add(i * 97 + 1, ds.row('base', (i * 97 + 50) % ds.baseCount));
  });
  index.check();
  // A fresh full build over exactly the same items.
  const freshFile = `${file}-fresh`;
  const fresh = Index.open(freshFile, { dimensions: ds.dim, distance: ds.distance });
  for (const id of index.ids()) fresh.add(id, index.get(id));
  const freshBuild = await fresh.build({ seed: 42 });
  const freshRecall = recall(fresh);
  const freshTrees = fresh.trees;
  const trees = index.trees;
  fresh.close();
  index.close();
  for (const f of [file, `${file}-lock`, freshFile, `${freshFile}-lock`]) fs.rmSync(f, { force: true });
  return { rows, full: full.durationMs, freshRecall, freshMs: freshBuild.durationMs, trees, freshTrees, searchK };
}

if (withParams) {
  const out = ['# Parameter sweep: trees × bucket capacity', '', lines.slice(2, 6).join('\n'), ''];
  out.push('How the defaults in native/core/defaults.cc were chosen: every combination built with seed 42 and swept over searchK; QPS at a recall level is interpolated as in RESULTS.md.');
  out.push('');
  for (const spec of DATASETS) {
    const ds = loadDataset(spec.name);
    out.push(`## ${spec.name}`, '', '| index | QPS @ recall 0.90 | QPS @ recall 0.95 | build s | index MB |', '| --- | ---: | ---: | ---: | ---: |');
    for (const trees of PARAM_GRID.trees) {
      for (const bucketCapacity of PARAM_GRID.bucketCapacity) {
        console.error(`${spec.name}: ${trees} trees, buckets of ${bucketCapacity} ...`);
        out.push(summaryRow(await measureArroy(ds, { trees, bucketCapacity, searchK: spec.searchK })));
      }
    }
    out.push('');
  }
  fs.writeFileSync(path.join(here, 'PARAMS.md'), `${out.join('\n')}\n`);
  console.log(out.join('\n'));
  process.exit(0);
}

const annoy = withAnnoy && DATASETS.length ? annoyBinary() : undefined;
for (const spec of DATASETS) {
  const ds = loadDataset(spec.name);
  console.error(`${spec.name}: arroy-ts defaults ...`);
  const results = [await measureArroy(ds, { searchK: spec.searchK })];
  if (annoy) {
    for (const trees of [10, 100]) {
      console.error(`${spec.name}: Annoy ${trees} trees ...`);
      results.push(measureAnnoy(annoy, ds, spec.annoyMetric, trees, spec.annoyK));
    }
  }
  lines.push(`## ${spec.name} (${ds.baseCount.toLocaleString('en-US')} × ${ds.dim}, ${ds.distance})`);
  lines.push('');
  lines.push('| index | QPS @ recall 0.90 | QPS @ recall 0.95 | build s | index MB |');
  lines.push('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) lines.push(summaryRow(r));
  lines.push('');
  for (const r of results) {
    lines.push(`<details><summary>${r.library}, ${r.trees} trees: sweep</summary>\n\n${sweepTable(r)}\n\n</details>\n`);
  }
}
if (wants('filtered')) {
  console.error('glove-100-angular: filtered search ...');
  const f = await measureFiltered(loadDataset('glove-100-angular'));
  lines.push('## Filtered search (GloVe, k = 10, default searchK)');
  lines.push('');
  lines.push('Each filter allows a share of the ids, chosen at random or as one contiguous run (GloVe ids follow word frequency, so a run is a frequency band). Recall@10 is against the exact 10 nearest among the allowed ids (brute force). `auto` is the cost model\'s choice (native/core/search.cc, `choose_strategy`); the forced rows show what each strategy alone gives. The goal: recall ≥ 0.99 at 1% and ≥ 0.95 at 10%, at no less than the unfiltered QPS.');
  lines.push('');
  lines.push('| filter | allowed | strategy | recall@10 | QPS | vs unfiltered |');
  lines.push('| --- | ---: | --- | ---: | ---: | ---: |');
  for (const r of f.rows) {
    lines.push(`| ${r.filter} | ${r.allowed.toLocaleString('en-US')} | ${r.strategy} | ${r.recall.toFixed(3)} | ${fmt(r.qps)} | ${(r.qps / f.unfilteredQps).toFixed(2)}× |`);
  }
  lines.push('');
}
if (wants('incremental')) {
  console.error('glove-100-angular: incremental builds ...');
  const inc = await measureIncremental(loadDataset('glove-100-angular'), 8000);
  lines.push('## Incremental builds (GloVe, 1% batches)');
  lines.push('');
  lines.push(`Each row is one \`build()\` after the change named, applied in order to the same index (default trees: ${inc.trees}). Recall@10 at searchK = ${inc.searchK}; a fresh full build over the final items (${inc.freshTrees} trees) took ${fmt(inc.freshMs / 1000, 1)} s and reaches recall ${inc.freshRecall.toFixed(3)}.`);
  lines.push('');
  lines.push('| build | seconds | % of full build | incremental | recall@10 |');
  lines.push('| --- | ---: | ---: | --- | ---: |');
  for (const r of inc.rows) {
    lines.push(`| ${r.label} | ${fmt(r.ms / 1000, 2)} | ${((100 * r.ms) / inc.full).toFixed(1)}% | ${r.incremental ? 'yes' : 'no'} | ${r.recall.toFixed(3)} |`);
  }
  lines.push('');
}
if (!only) fs.writeFileSync(path.join(here, 'RESULTS.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
