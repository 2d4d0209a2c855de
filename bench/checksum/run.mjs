#!/usr/bin/env node
// npm run bench:checksum: the cost of the vector checksums (format version 2),
// measured against the commit before them in one run, side by side. The base
// commit is exported with `git archive` (not a worktree) into the temporary
// directory and built there once; then child processes of the two builds
// alternate, A B A B ..., on the same data, and the medians are compared.
//
//   node bench/checksum/run.mjs [--base <rev>] [--count 100000] [--rounds 3] [--write]
//
// Prints a Markdown section; --write also puts it into bench/RESULTS.md in
// place of the last one (npm run bench keeps it when it rewrites the file).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { fmt, provenance, writeSection } from '../lib/common.mjs';
import { CHECKSUM_HEADING } from './heading.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
// Default base: the parent of the commit that introduced format version 2.
const introduced = git('log', '-1', '--format=%H', '-S', 'kFormatVersion = 2', '--', 'native/core/format.h');
const base = git('rev-parse', '--short', option('base', `${introduced}^`));
const count = Number(option('count', '100000'));
const rounds = Number(option('rounds', '3'));

function baseBuild() {
  const dir = path.join(os.tmpdir(), `arroy-ts-base-${base}`);
  const entry = path.join(dir, 'dist', 'index.mjs');
  if (fs.existsSync(entry) && fs.existsSync(path.join(dir, 'build', 'Release', 'arroy_ts.node'))) return entry;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${base} | tar -x -C "${dir}"`], { cwd: root, stdio: 'inherit' });
  // The same dependencies and LMDB sources as this checkout: only the code differs.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  if (fs.existsSync(path.join(root, '.deps'))) fs.symlinkSync(path.join(root, '.deps'), path.join(dir, '.deps'));
  console.error(`building ${base} in ${dir} ...`);
  execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  return entry;
}

const sides = { base: baseBuild(), checksums: path.join(root, 'dist', 'index.mjs') };
const runs = { base: [], checksums: [] };
for (let round = 0; round < rounds; round++) {
  // Alternate which side goes first, so a drift in machine load hits both.
  const order = round % 2 === 0 ? ['base', 'checksums'] : ['checksums', 'base'];
  for (const side of order) {
    const child = spawnSync(process.execPath, [path.join(here, 'child.mjs'), sides[side], String(count), side], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${side} run failed:\n${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop());
    runs[side].push(result);
    console.error(`round ${round + 1} ${side}: build ${result.build.cpu.toFixed(2)} s CPU, search ${result.search.cpu.toFixed(3)} s CPU`);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs) => `${fmt(Math.min(...xs), 3)}–${fmt(Math.max(...xs), 3)}`;
const metric = (side, pick) => runs[side].map(pick);
const same = new Set([...runs.base, ...runs.checksums].map((r) => r.digest)).size === 1;
const q = runs.base[0].queries;

const rows = [
  ['build (20 trees, 1 thread), CPU s', (r) => r.build.cpu, 2],
  ['build, wall s', (r) => r.build.wall, 2],
  [`search (${q} queries, k 10, searchK 8000), CPU s`, (r) => r.search.cpu, 3],
  ['search, wall s', (r) => r.search.wall, 3],
  [`get() of all ${fmt(count)} items, CPU s`, (r) => r.get.cpu, 3],
  ['check(), CPU s', (r) => r.check.cpu, 3],
  ['check({ deep: true }), CPU s (base: no deep mode, same as check())', (r) => r.deepCheck.cpu, 3],
  ['file MB', (r) => r.bytes / 1e6, 1],
];
const lines = [
  CHECKSUM_HEADING,
  '',
  ...provenance(`npm run bench:checksum -- --count ${count} --rounds ${rounds}`),
  '',
  `GloVe's first ${fmt(count)} vectors (100-d, cosine), built with seed 42; base is ${base}, the commit before the checksums, exported and built in the temporary directory. The two builds run in alternating child processes, ${rounds} rounds each; figures are medians (range in brackets), each search/get/check figure the best of 3 passes. Search results were ${same ? 'identical' : 'NOT identical'} on both sides (same ids for every query).`,
  '',
  '| measure | base | checksums | ratio |',
  '| --- | ---: | ---: | ---: |',
];
for (const [name, pick, digits] of rows) {
  const [a, b] = [median(metric('base', pick)), median(metric('checksums', pick))];
  lines.push(`| ${name} | ${fmt(a, digits)} (${spread(metric('base', pick))}) | ${fmt(b, digits)} (${spread(metric('checksums', pick))}) | ${(b / a).toFixed(3)} |`);
}
const deepExtra = median(metric('checksums', (r) => r.deepCheck.cpu - r.check.cpu));
lines.push('', `Verifying one 416-byte slot costs about ${fmt((deepExtra / count) * 1e9, 0)} ns (check({ deep: true }) minus check(), per item, with the ${createRequire(import.meta.url)('../../dist/native.js').binding.crc32c} CRC32C).`);
console.log(lines.join('\n'));
if (args.includes('--write')) writeSection(path.join(here, '..', 'RESULTS.md'), lines);
