// Renders bench/PEERS.md and the curves (bench/peers-<dataset>.svg) from the saved runs in
// bench/peers/results/*.json (see run.mjs). `npm run bench:peers -- --report` re-renders only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLORS, LIBRARIES } from './libraries.mjs';
import { recallChart } from './svg.mjs';
import { qpsAt } from '../lib/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, '..');
const LEVELS = [0.9, 0.95, 0.99];

// The best configuration of `library` at `level`: { qps, result }.
function bestOf(run, library, level) {
  let best;
  for (const r of run.results.filter((x) => x.library === library)) {
    const q = qpsAt(r.search.points, level);
    if (q !== undefined && (!best || q > best.qps)) best = { qps: q, result: r };
  }
  return best;
}

const num = (x, digits = 0) => (x === undefined || Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const mb = (bytes) => num(bytes / 1e6, 1);
const ratio = (a, b) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`);

function loadRuns() {
  const dir = path.join(here, 'results');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

function order(results) {
  return [...results].sort((a, b) => LIBRARIES.indexOf(a.library) - LIBRARIES.indexOf(b.library));
}

function datasetSection(run, scaling) {
  const L = [];
  L.push(`## ${run.dataset} (${run.n.toLocaleString('en-US')} × ${run.dim}, ${run.metric})`);
  L.push('');
  L.push(`Command: \`${run.command}\`  `);
  L.push(`Machine: ${run.machine}; arroy-ts SIMD ${run.simd}  `);
  L.push(`Commit: ${run.commit}, ${run.date} UTC${run.partial ? ` (some rows from an earlier run: ${run.partial})` : ''}  `);
  L.push(`Peers: hnswlib-node ${run.versions['hnswlib-node']}, usearch ${run.versions.usearch} (npm); r-cran-rcppannoy ${run.versions['r-cran-rcppannoy']}, libhnswlib-dev ${run.versions['libhnswlib-dev']} (Debian headers, \`-O3 -march=native\`)`);
  L.push('');
  L.push(`![recall vs QPS, ${run.dataset}](peers-${run.dataset}.svg)`);
  L.push('');
  L.push('### QPS at recall@10, best configuration of each library');
  L.push('');
  L.push('| library | QPS @ 0.90 | @ 0.95 | @ 0.99 | × Annoy @ 0.90 | @ 0.95 | @ 0.99 |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const best = {};
  for (const lib of LIBRARIES) best[lib] = LEVELS.map((l) => bestOf(run, lib, l));
  for (const lib of LIBRARIES) {
    if (!run.results.some((r) => r.library === lib)) continue;
    const cells = best[lib].map((b) => (b ? `${num(b.qps)} <sub>${b.result.label.replace(/^[^,]*, /, '')}</sub>` : '—'));
    const x = best[lib].map((b, i) => ratio(b?.qps, best['Annoy C++'][i]?.qps));
    L.push(`| ${lib} | ${cells.join(' | ')} | ${x.join(' | ')} |`);
  }
  L.push('');
  L.push('### arroy-ts ÷ each peer (best configuration of each, at the same recall)');
  L.push('');
  L.push('| peer | @ 0.90 | @ 0.95 | @ 0.99 |');
  L.push('| --- | ---: | ---: | ---: |');
  for (const lib of LIBRARIES.slice(1)) {
    if (!run.results.some((r) => r.library === lib)) continue;
    L.push(`| ${lib} | ${LEVELS.map((_, i) => ratio(best['arroy-ts'][i]?.qps, best[lib][i]?.qps)).join(' | ')} |`);
  }
  L.push('');
  L.push('### Every configuration: build, size, memory, QPS');
  L.push('');
  L.push(`Raw float32 vectors: ${mb(run.raw_bytes)} MB. Build = from the first vector added to the index saved on disk. Search peak RSS = VmHWM of a fresh search process that opens the index, sets the smallest swept knob reaching recall 0.95 and answers every query twice; it reads only the queries. File-backed pages of a memory-mapped index count in it (the \"mapped\" column: resident file pages at the end). A bare Node process peaks at ${mb(run.bare_node.peak_rss_bytes)} MB; \"over index\" = peak RSS − index bytes − (for Node libraries) that bare Node peak.`);
  L.push('');
  L.push('| configuration | build s | build threads | index MB | × raw | search peak RSS MB | mapped MB | over index MB | QPS @ 0.90 | @ 0.95 | @ 0.99 |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of order(run.results)) {
    const s = r.search;
    const m = r.serve ?? s;
    const over = m.peak_rss_bytes - r.index_bytes - (r.kind === 'node' ? run.bare_node.peak_rss_bytes : 0);
    L.push(
      `| ${r.label} | ${num(r.build_seconds, 1)} | ${r.build_threads} | ${mb(r.index_bytes)} | ${(r.index_bytes / run.raw_bytes).toFixed(2)}× | ${mb(m.peak_rss_bytes)} | ${mb(m.rss_file_bytes)} | ${mb(over)} | ${LEVELS.map((l) => num(qpsAt(s.points, l))).join(' | ')} |`,
    );
  }
  L.push('');
  L.push('### Cold start (a fresh process opens the index and answers one query; page cache warm)');
  L.push('');
  L.push(`Median of ${run.results.find((r) => r.cold)?.cold.runs ?? '?'} processes. Wall = spawn to exit of the whole process. A bare \`node\` process takes ${num(run.bare_node.wall_ms, 1)} ms wall (its own start-up ${num(run.bare_node.node_start_ms, 1)} ms); for the Node libraries the last column subtracts it. Node rows: import = loading the package, open = opening the index file.`);
  L.push('');
  L.push('| library (configuration, knob) | wall ms | import ms | open ms | first query ms | open + first query | wall over bare node |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of order(run.results).filter((x) => x.cold)) {
    const c = r.cold;
    const over = r.kind === 'node' ? num(c.wall_ms - run.bare_node.wall_ms, 1) : '—';
    L.push(`| ${r.label}, ${r.knob} ${c.knob} | ${num(c.wall_ms, 1)} | ${num(c.import_ms, 1)} | ${num(c.open_ms, 2)} | ${num(c.first_query_ms, 2)} | ${num(c.open_ms + c.first_query_ms, 2)} | ${over} |`);
  }
  L.push('');
  if (scaling.length > 1) {
    L.push('### Scaling: the first 25 / 50 / 100% of the base vectors');
    L.push('');
    L.push('Each fraction is its own run (`--fraction`), with ground truth recomputed by brute force over the prefix. QPS at recall 0.90 of the best configuration, and that configuration\'s build time.');
    L.push('');
    const libs = LIBRARIES.filter((lib) => scaling.some((s) => s.results.some((r) => r.library === lib)));
    L.push(`| items | ${libs.map((l) => `${l} QPS @ 0.90 | build s`).join(' | ')} |`);
    L.push(`| ---: | ${libs.map(() => '---: | ---:').join(' | ')} |`);
    for (const s of scaling) {
      const cells = libs.map((lib) => {
        const b = bestOf(s, lib, 0.9);
        return b ? `${num(b.qps)} <sub>${b.result.label.replace(/^[^,]*, /, '')}</sub> | ${num(b.result.build_seconds, 1)}` : '— | —';
      });
      L.push(`| ${s.n.toLocaleString('en-US')} (${s.fraction * 100}%, ${s.date}) | ${cells.join(' | ')} |`);
    }
    L.push('');
  }
  L.push('<details><summary>Sweeps (knob, recall@10, QPS; arroy-ts also exact distances per query)</summary>');
  L.push('');
  for (const r of order(run.results)) {
    L.push(`**${r.label}** (${r.knob}): ${r.search.points.map((p) => `${p.knob} → ${p.recall.toFixed(3)} @ ${num(p.qps)}${p.work ? ` (${num(p.work)} dist)` : ''}`).join(' · ')}`);
    L.push('');
  }
  L.push('</details>');
  L.push('');
  return L.join('\n');
}

export function render() {
  const runs = loadRuns();
  const datasets = [...new Set(runs.map((r) => r.dataset))].sort();
  const L = ['# arroy-ts and its peers', ''];
  L.push('Written by `npm run bench:peers` (bench/peers/). One query thread, k = 10, recall@10 against exact ground truth; each library through its own API: arroy-ts, hnswlib-node and usearch through their npm packages from Node (a query is one JS call with a Float32Array; hnswlib-node is given the number[] its API takes, converted outside the timed loop), Annoy and hnswlib through their C++ APIs compiled from the Debian packages\' headers with `-O3 -march=native`. Every library runs its search in its own process; QPS is 1,000 queries over the CPU time of the search process (user + system, all threads; `process.cpuUsage()` in Node, `CLOCK_PROCESS_CPUTIME_ID` in C++) of the best of up to three timed passes, after an untimed pass that scores recall. CPU time rather than the wall clock because the machine is shared with other work (load averages of 5–9 on 2 cores during these runs): the wall clock would count the time other processes held the core. Cache interference from them still slows every library, so compare ratios within one run; the JSON in bench/peers/results/ also keeps the wall-clock QPS.');
  L.push('');
  for (const d of datasets) {
    const full = runs.find((r) => r.dataset === d && r.fraction === 1);
    const scaling = runs.filter((r) => r.dataset === d).sort((a, b) => a.fraction - b.fraction);
    const main = full ?? scaling[scaling.length - 1];
    L.push(datasetSection(main, scaling));
    const series = [];
    for (const r of order(main.results)) {
      const sameLib = main.results.filter((x) => x.library === r.library);
      const dashes = ['', '6 3', '2 3', '9 3 2 3'];
      series.push({ name: r.label, color: COLORS[r.library], dash: dashes[sameLib.indexOf(r)], points: r.search.points });
    }
    const svg = recallChart({ title: `${d}: recall@10 vs queries per second`, subtitle: `${main.n.toLocaleString('en-US')} × ${main.dim}, one query thread, ${main.machine.split(',')[0]}, commit ${main.commit}`, series });
    fs.writeFileSync(path.join(benchDir, `peers-${d}.svg`), svg);
  }
  fs.writeFileSync(path.join(benchDir, 'PEERS.md'), `${L.join('\n')}\n`);
  console.log(L.join('\n'));
}
