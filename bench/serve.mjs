#!/usr/bin/env node
// A bounded load run of `arroy-ts serve` (a child process, as deployed) over
// loopback: `--clients` loops searching GloVe's queries (k = 10, default
// recall) for `--seconds` while one client batch-inserts further GloVe rows
// (`--batch` items per request, each answered after its build committed).
// Reports search p50/p99 latency and QPS, insert latency, builds, errors
// (must be 0), and whether every acknowledged insert is found by its own
// vector afterwards (approximately as clients search, else exactly).
//
//   npm run bench:serve                          # prints the section
//   npm run bench:serve -- --write               # and puts it into bench/RESULTS.md
//   npm run bench:serve -- --items 50000 --seconds 10
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '../test/helpers/datasets.mjs';
import { Index } from '../dist/index.mjs';
import { KeyStore } from '../dist/serve/keys.js';
import { fmt, provenance, tempIndexFile, writeSection } from './lib/common.mjs';
import { runLoad } from './lib/serve-load.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '30' },
    clients: { type: 'string', default: '8' },
    batch: { type: 'string', default: '100' },
    write: { type: 'boolean', default: false },
  },
});
const items = Number(values.items);
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const batchSize = Number(values.batch);

const ds = loadDataset('glove-100-angular');
const temp = tempIndexFile('serve');
const keyFile = `${temp.file}.keys.json`;

process.stderr.write(`building ${fmt(items)} GloVe items ...\n`);
const index = Index.open(temp.file, { name: 'bench/glove', keys: 'string', dimensions: ds.dim, distance: ds.distance });
for (let i = 0; i < items; i++) index.add(`${i}`, ds.row('base', i));
const built = await index.build({ seed: 42 });
index.close();
process.stderr.write(`built in ${fmt(built.durationMs / 1000, 1)} s\n`);

const store = KeyStore.open(keyFile);
store.createProject('bench');
const { key } = store.createKey('bench');

const child = spawn(process.execPath, [path.join(here, '..', 'dist', 'cli.js'), 'serve', temp.file, '--port', '0', '--api-key-file', keyFile], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /listening on (\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
  child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});

const loadBefore = os.loadavg();
const result = await runLoad({
  url: `${url}/v1/projects/bench/collections/glove`,
  key,
  dim: ds.dim,
  queries: ds.queries,
  inserts: ds.base.subarray(items * ds.dim),
  idPrefix: 'new-',
  clients,
  seconds,
  batchSize,
});
const loadAfter = os.loadavg();
const exited = new Promise((resolve) => child.on('exit', resolve));
child.kill('SIGTERM');
const exitCode = await exited;
temp.remove();
fs.rmSync(keyFile, { force: true });

const ms = (x) => fmt(x, 1);
const lines = [
  `## HTTP service (arroy-ts serve, GloVe ${fmt(items)} × ${ds.dim}, cosine, k = 10)`,
  '',
  ...provenance(`npm run bench:serve -- --items ${items} --seconds ${seconds} --clients ${clients} --batch ${batchSize}`),
  '',
  `The service runs as its own process (\`arroy-ts serve\`, default batching: a build starts 20 ms after the first queued write); the clients are one Node process using fetch with keep-alive, over loopback, on the same 2 cores. ${clients} clients search GloVe's queries round-robin for ${seconds} s while one client inserts rows ${fmt(items)}+ in batches of ${batchSize}, each answered after its build committed.`,
  '',
  `Load average (1, 5, 15 min) before ${loadBefore.map((x) => x.toFixed(2)).join(', ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(', ')}.`,
  '',
  '| searches | QPS | p50 ms | p99 ms | errors |',
  '| ---: | ---: | ---: | ---: | ---: |',
  `| ${fmt(result.searches)} | ${fmt(result.qps)} | ${ms(result.p50)} | ${ms(result.p99)} | ${result.errors.length} |`,
  '',
  '| inserted (acknowledged) | insert requests | builds | insert p50 ms | insert p99 ms |',
  '| ---: | ---: | ---: | ---: | ---: |',
  `| ${fmt(result.inserted)} | ${fmt(result.insertRequests)} | ${fmt(result.builds)} | ${ms(result.insertP50)} | ${ms(result.insertP99)} |`,
  '',
  `Every acknowledged insert searched by its own vector afterwards: ${fmt(result.searchableApprox)} of ${fmt(result.inserted)} in the top 10 of a default search, ${fmt(result.searchableExact)} of ${fmt(result.inserted)} with recall 1 (exact); not found: ${result.missing.length}. The service exited with code ${exitCode} on SIGTERM.`,
];
if (result.errors.length > 0) lines.push('', `First errors: ${result.errors.slice(0, 5).join('; ')}`);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.write) writeSection(path.join(here, 'RESULTS.md'), lines);
if (result.errors.length > 0 || result.missing.length > 0) process.exitCode = 1;
