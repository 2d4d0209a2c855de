#!/usr/bin/env node
// Recall/QPS sweep of arroy-ts on the shared datasets, one query thread,
// k = 10, with Annoy's C++ core measured in the same run as the baseline.
//
//   npm run bench:recall                          # both datasets: arroy-ts defaults + Annoy 10 and 100 trees
//   npm run bench:recall -- --only glove-100-angular
//   npm run bench:recall -- --no-annoy            # skip the baseline
//   npm run bench:recall -- --params              # instead: sweep trees x bucket capacity (how the defaults
//                                                 # were chosen) into bench/PARAMS.md
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS_DIR, loadDataset, recallAtK } from '../test/helpers/datasets.mjs';
import { buildIndexOf, fmt, isMain, provenance, qpsAt, timeQueries } from './lib/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

export const DATASETS = [
  { name: 'glove-100-angular', annoyMetric: 'angular', searchK: [1000, 2000, 4000, 8000, 16000, 32000], annoyK: [2000, 5000, 10000, 20000, 50000, 100000] },
  { name: 'fashion-mnist-784-euclidean', annoyMetric: 'euclidean', searchK: [100, 200, 300, 500, 1000, 2000, 4000], annoyK: [100, 200, 500, 1000, 2000, 5000, 10000] },
];
const PARAM_GRID = { trees: [10, 20, 40], bucketCapacity: [32, 64, 128] };

export const RECALL_PREAMBLE =
  'One query thread, k = 10, recall@10 against the exact ground truth in `../shared/datasets`; QPS is the best of three passes over the 1,000 queries. arroy-ts queries run through Node (TypeScript API → N-API → C++), reading the LMDB file through its memory map; Annoy runs as a C++ program (`-O3 -march=native`) on its own mmapped file. Both are measured in this one run, on this machine, one after the other. QPS at a recall level is interpolated between the two sweep points around it. Build uses every core; index bytes is the file size.';

async function measureArroy(ds, { trees, bucketCapacity, searchK }) {
  // The forest alone (graph: false): this section sweeps searchK; the graph is bench:peers's.
  const built = await buildIndexOf(ds, 'recall', { trees, bucketCapacity, graph: false });
  const points = searchK.map((sk) => {
    const { results, qps } = timeQueries(ds, (q) => built.index.search(q, { k: 10, searchK: sk }));
    return { searchK: sk, recall: recallAtK(results.map((r) => r.map((n) => n.id)), ds, 10), qps };
  });
  const result = { library: 'arroy-ts', trees: built.index.trees, bucketCapacity, buildSeconds: built.build.durationMs / 1000, bytes: built.bytes, points };
  built.close();
  return result;
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

function summaryRow(r) {
  const label = r.library === 'arroy-ts' ? `arroy-ts, ${r.trees} trees${r.bucketCapacity ? `, buckets ${r.bucketCapacity}` : ''}` : `${r.library}, ${r.trees} trees`;
  return `| ${label} | ${fmt(qpsAt(r.points, 0.9))} | ${fmt(qpsAt(r.points, 0.95))} | ${fmt(r.buildSeconds, 1)} | ${fmt(r.bytes / 1e6, 1)} |`;
}

const SUMMARY_HEADER = ['| index | QPS @ recall 0.90 | QPS @ recall 0.95 | build s | index MB |', '| --- | ---: | ---: | ---: | ---: |'];

function sweepTable(r) {
  return [`| searchK | recall@10 | QPS |`, `| ---: | ---: | ---: |`, ...r.points.map((p) => `| ${p.searchK} | ${p.recall.toFixed(3)} | ${fmt(p.qps)} |`)].join('\n');
}

/** The recall/QPS sections of RESULTS.md, one per dataset, as markdown lines. */
export async function recallSection({ only, withAnnoy = true } = {}) {
  const lines = [];
  const datasets = DATASETS.filter((d) => !only || d.name === only);
  const annoy = withAnnoy && datasets.length ? annoyBinary() : undefined;
  for (const spec of datasets) {
    const ds = loadDataset(spec.name);
    console.error(`${spec.name}: arroy-ts defaults ...`);
    const results = [await measureArroy(ds, { searchK: spec.searchK })];
    if (annoy) {
      for (const trees of [10, 100]) {
        console.error(`${spec.name}: Annoy ${trees} trees ...`);
        results.push(measureAnnoy(annoy, ds, spec.annoyMetric, trees, spec.annoyK));
      }
    }
    lines.push(`## ${spec.name} (${ds.baseCount.toLocaleString('en-US')} × ${ds.dim}, ${ds.distance})`, '', ...SUMMARY_HEADER);
    for (const r of results) lines.push(summaryRow(r));
    lines.push('');
    for (const r of results) lines.push(`<details><summary>${r.library}, ${r.trees} trees: sweep</summary>\n\n${sweepTable(r)}\n\n</details>\n`);
  }
  return lines;
}

/** How the defaults in native/core/defaults.cc were chosen: bench/PARAMS.md. */
async function paramSweep(command) {
  const out = ['# Parameter sweep: trees × bucket capacity', '', ...provenance(command), ''];
  out.push('How the defaults in native/core/defaults.cc were chosen: every combination built with seed 42 and swept over searchK; QPS at a recall level is interpolated as in RESULTS.md.', '');
  for (const spec of DATASETS) {
    const ds = loadDataset(spec.name);
    out.push(`## ${spec.name}`, '', ...SUMMARY_HEADER);
    for (const trees of PARAM_GRID.trees) {
      for (const bucketCapacity of PARAM_GRID.bucketCapacity) {
        console.error(`${spec.name}: ${trees} trees, buckets of ${bucketCapacity} ...`);
        out.push(summaryRow(await measureArroy(ds, { trees, bucketCapacity, searchK: spec.searchK })));
      }
    }
    out.push('');
  }
  fs.writeFileSync(path.join(here, 'PARAMS.md'), `${out.join('\n')}\n`);
  return out;
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const command = `npm run bench:recall${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const lines = args.includes('--params')
    ? await paramSweep(command)
    : [...provenance(command), '', RECALL_PREAMBLE, '', ...(await recallSection({ only, withAnnoy: !args.includes('--no-annoy') }))];
  console.log(lines.join('\n'));
}
