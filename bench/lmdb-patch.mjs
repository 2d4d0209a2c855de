// What the LMDB patch (native/patches/lmdb-robust.patch) and the core's
// damage checks (fault guard registration, a file-size check per read
// transaction) cost a search: the same GloVe index searched by two builds in
// alternating child processes, in one run, CPU-time QPS (the machine is shared).
//
//   node bench/lmdb-patch.mjs [--baseline <package root>] [--items N] [--queries N] [--rounds N]
//
// Without --baseline, the baseline is this checkout built against stock LMDB
// (ARROY_LMDB_STOCK=1) in a staged copy under the system's temp directory;
// with it, any built checkout (e.g. a worktree of main after `npm run build`).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { provenance } from './lib/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

if (args[0] === '--child') {
  // child: <package root> <index file> <queries file> <count>
  const [, pkg, file, queriesFile, count] = args;
  const { Index } = createRequire(path.join(pkg, 'package.json'))(path.join(pkg, 'dist', 'index.js'));
  const flat = new Float32Array(fs.readFileSync(queriesFile).buffer.slice(0));
  const index = Index.open(file, { readOnly: true });
  const dim = index.dimensions;
  const n = Math.min(Number(count), flat.length / dim);
  const queries = Array.from({ length: n }, (_, i) => flat.subarray(i * dim, (i + 1) * dim));
  for (const q of queries) index.search(q, { k: 10 }); // warm: pages in the page cache
  let best = 0;
  for (let pass = 0; pass < 3; pass++) {
    const start = process.cpuUsage();
    for (const q of queries) index.search(q, { k: 10 });
    const used = process.cpuUsage(start);
    best = Math.max(best, n / ((used.user + used.system) / 1e6));
  }
  index.close();
  process.stdout.write(JSON.stringify({ qps: best }) + '\n');
  process.exit(0);
}

function stageStock() {
  const dest = path.join(os.tmpdir(), 'arroy-ts-stock-lmdb');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  for (const entry of ['binding.gyp', 'package.json', 'native', 'scripts', 'dist']) {
    fs.cpSync(path.join(root, entry), path.join(dest, entry), { recursive: true });
  }
  for (const link of ['node_modules', '.deps']) fs.symlinkSync(path.join(root, link), path.join(dest, link));
  execFileSync(process.execPath, ['scripts/build-native.js'], { cwd: dest, stdio: ['ignore', 2, 2], env: { ...process.env, ARROY_LMDB_STOCK: '1' } });
  return dest;
}

const baseline = opt('baseline') ? path.resolve(opt('baseline')) : stageStock();
const items = Number(opt('items', 100_000));
const queryCount = Number(opt('queries', 1000));
const rounds = Number(opt('rounds', 5));

const { loadDataset } = await import('../test/helpers/datasets.mjs');
const { Index } = await import('../dist/index.mjs');
const ds = loadDataset('glove-100-angular');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-ts-patch-bench-'));
const file = path.join(work, 'glove.arroy');
const index = Index.open(file, { dimensions: ds.dim, distance: ds.distance });
for (let i = 0; i < Math.min(items, ds.baseCount); i++) index.add(i, ds.row('base', i));
await index.build();
index.close();
const queriesFile = path.join(work, 'queries.f32');
fs.writeFileSync(queriesFile, Buffer.from(ds.queries.buffer, ds.queries.byteOffset, queryCount * ds.dim * 4));

const variants = { baseline, patched: root };
const qps = { baseline: [], patched: [] };
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 ? ['patched', 'baseline'] : ['baseline', 'patched']) {
    const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', variants[name], file, queriesFile, String(queryCount)], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`${name}: ${out.stderr}`);
    qps[name].push(JSON.parse(out.stdout).qps);
  }
}
fs.rmSync(work, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
console.log(provenance(`node bench/lmdb-patch.mjs ${args.join(' ')}`.trim()).join('\n'));
console.log(`GloVe-100 cosine, ${items} items, ${queryCount} queries, k=10, default searchK, ${rounds} alternating rounds, CPU-time QPS (best of 3 passes per process)\n`);
console.log('| build | median QPS | range |');
console.log('| --- | --- | --- |');
console.log(`| baseline (${opt('baseline') ? path.basename(baseline) : 'stock LMDB'}) | ${Math.round(median(qps.baseline))} | ${spread(qps.baseline)} |`);
console.log(`| patched (this checkout) | ${Math.round(median(qps.patched))} | ${spread(qps.patched)} |`);
console.log(`\npatched / baseline: ${(median(qps.patched) / median(qps.baseline)).toFixed(3)}`);
