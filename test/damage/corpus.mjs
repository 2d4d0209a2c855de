// The damaged-file corpus: seeded cases of each kind of damage, each in its
// own child process (child.mjs), watched for signals, hangs and memory.
//
//   node test/damage/corpus.mjs [--seeds N] [--kinds a,b] [--jobs J] [--json out.json]
//
// Prints a table: per kind, how many cases ended in a signal, a hang (killed
// after --timeout ms), runaway memory (RSS above 2x the peak of an undamaged
// run, killed), an exception that is not an ArroyError, a typed error, a
// correct answer, or a changed answer (undetected damage inside a vector).
// test/damage.test.ts runs a short budget; npm run test:stress runs 1,000.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { random } from '../helpers/random.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const KINDS = ['flip1', 'flip10', 'flip100', 'tree-header', 'overflow-header', 'truncate', 'rewrite', 'full-open', 'full-build'];
const DIMENSIONS = 640; // > half a page: every vector lives on an overflow page

async function makeIndex(file, seed, items) {
  const { Index } = require('../../dist/index.js');
  const rand = random(seed);
  const index = Index.open(file, { dimensions: DIMENSIONS, distance: 'cosine' });
  // Attributes too, so that damage can land in their records, the field
  // dictionary and the postings that `where` reads.
  for (let i = 0; i < items; i++) index.add(i, Array.from({ length: DIMENSIONS }, () => rand() * 2 - 1), { attributes: attributesOf(i) });
  await index.build({ trees: 8 });
  index.close();
  fs.rmSync(`${file}-lock`, { force: true });
}

/** The attributes item i carries: a category, a tag list and a number. */
export function attributesOf(i) {
  return { category: `c${i % 7}`, tags: i % 3 === 0 ? ['even3', 'x'] : ['y'], rank: i * 1.5 };
}

/** A where predicate that meets every kind of posting: equality, contains, a range, and/or. */
export const WHERE = { $or: [{ category: 'c3' }, { $and: [{ tags: 'even3' }, { rank: { $gte: 90, $lt: 240 } }] }] };

function answers(file, queries, probe) {
  const { Index } = require('../../dist/index.js');
  const index = Index.open(file, { readOnly: true });
  const out = {
    size: index.size,
    ids: [...index.ids()],
    search: queries.map((q) => index.search(q, { k: 10 }).map((h) => h.id)),
    where: queries.map((q) => index.search(q, { k: 10, where: WHERE }).map((h) => h.id)),
    attributes: probe.map((id) => index.getAttributes(id) ?? null),
    get: probe.map((id) => {
      const v = index.get(id);
      return v ? Array.from(v.slice(0, 4)) : null;
    }),
  };
  index.close();
  fs.rmSync(`${file}-lock`, { force: true });
  return out;
}

export async function prepare(dir) {
  const base = path.join(dir, 'base.arroy');
  const other = path.join(dir, 'other.arroy');
  await makeIndex(base, 1, 300);
  await makeIndex(other, 2, 120);
  const rand = random(3);
  const queries = Array.from({ length: 3 }, () => Array.from({ length: DIMENSIONS }, () => rand() * 2 - 1));
  const probe = [0, 7, 64, 150, 299];
  const expected = { dimensions: DIMENSIONS, queries, probe, base: answers(base, queries, probe), other: answers(other, queries, probe) };
  const file = path.join(dir, 'expected.json');
  fs.writeFileSync(file, JSON.stringify(expected));
  return { base, other, expected: file };
}

function rssOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

// Runs one case; resolves to { kind, seed, outcome, detail, maxRss }.
function runCase(files, dir, kind, seed, { timeout, rssLimit }) {
  const work = fs.mkdtempSync(path.join(dir, `${kind}-${seed}-`));
  const spec = path.join(work, 'case.json');
  fs.writeFileSync(spec, JSON.stringify({ kind, seed, ...files, work }));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, 'child.mjs'), spec], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killedFor = null;
    let peak = 0;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    const watch = setInterval(() => {
      const rss = rssOf(child.pid);
      peak = Math.max(peak, rss);
      if (rssLimit && rss > rssLimit && !killedFor) {
        killedFor = 'memory';
        child.kill('SIGKILL');
      }
    }, 50);
    const timer = setTimeout(() => {
      if (!killedFor) {
        killedFor = 'hang';
        child.kill('SIGKILL');
      }
    }, timeout);
    child.on('close', (status, signal) => {
      clearInterval(watch);
      clearTimeout(timer);
      // A child that died inside a full-disk case left its tmpfs mounted.
      if (fs.existsSync(path.join(work, 'mnt'))) spawnSync('umount', ['-l', path.join(work, 'mnt')], { stdio: 'ignore' });
      fs.rmSync(work, { recursive: true, force: true });
      const line = out.split('\n').find((l) => l.startsWith('{'));
      const report = line ? JSON.parse(line) : null;
      let outcome;
      if (killedFor) outcome = killedFor;
      else if (signal) outcome = 'signal';
      else if (!report) outcome = 'untyped';
      else outcome = report.outcome;
      const detail = killedFor || signal ? `${signal ?? ''} ${err.slice(-800)}` : report ? report.detail : `status ${status}: ${err.slice(-800)}`;
      resolve({ kind, seed, outcome, detail, maxRss: Math.max(peak, report ? report.maxRss : 0) });
    });
  });
}

export const OUTCOMES = ['signal', 'hang', 'memory', 'untyped', 'typed', 'correct', 'changed', 'skipped'];

export async function runCorpus({ seeds, kinds = KINDS, jobs = 2, timeout = 30_000, firstSeed = 1, log = () => {} }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-ts-damage-'));
  try {
    const files = await prepare(dir);
    // The normal peak: undamaged runs of the same reads, writes and build.
    const clean = [];
    for (let s = 0; s < 3; s++) clean.push(await runCase(files, dir, 'none', s, { timeout: timeout * 2 }));
    const bad = clean.find((c) => c.outcome !== 'correct');
    if (bad) throw new Error(`an undamaged run was not correct: ${JSON.stringify(bad)}`);
    const normalRss = Math.max(...clean.map((c) => c.maxRss));
    const rssLimit = 2 * normalRss;
    const queue = [];
    for (const kind of kinds) for (let s = firstSeed; s < firstSeed + seeds; s++) queue.push([kind, s]);
    const results = [];
    await Promise.all(
      Array.from({ length: jobs }, async () => {
        while (queue.length) {
          const [kind, seed] = queue.shift();
          const r = await runCase(files, dir, kind, seed, { timeout, rssLimit });
          results.push(r);
          if (['signal', 'hang', 'memory', 'untyped'].includes(r.outcome)) log(`${kind} seed ${seed}: ${r.outcome} ${r.detail}`);
        }
      }),
    );
    const table = {};
    for (const kind of kinds) {
      table[kind] = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
      table[kind].maxRss = 0;
    }
    for (const r of results) {
      table[r.kind][r.outcome]++;
      table[r.kind].maxRss = Math.max(table[r.kind].maxRss, r.maxRss);
    }
    return { table, results, normalRss };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatTable({ table, normalRss }) {
  const mb = (b) => (b / 1048576).toFixed(0);
  const lines = [`| kind | ${OUTCOMES.join(' | ')} | peak RSS MB |`, `|${' --- |'.repeat(OUTCOMES.length + 2)}`];
  for (const [kind, row] of Object.entries(table)) lines.push(`| ${kind} | ${OUTCOMES.map((o) => row[o]).join(' | ')} | ${mb(row.maxRss)} |`);
  lines.push('', `normal peak RSS (undamaged run): ${mb(normalRss)} MB; limit ${mb(2 * normalRss)} MB`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const run = await runCorpus({
    seeds: Number(opt('seeds', 50)),
    kinds: opt('kinds', KINDS.join(',')).split(','),
    jobs: Number(opt('jobs', 2)),
    timeout: Number(opt('timeout', 30_000)),
    firstSeed: Number(opt('first', 1)),
    log: (line) => console.error(line.slice(0, 400)),
  });
  console.log(formatTable(run));
  const json = opt('json');
  if (json) fs.writeFileSync(json, JSON.stringify(run, null, 1));
}
