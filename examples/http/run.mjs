#!/usr/bin/env node
// Starts `arroy-ts serve` on a fresh file, loads GloVe words into a
// collection over HTTP, and asks it for the nearest words of a few. Every
// step is a plain HTTP request, as any client would make it.
//
//   node examples/http/run.mjs                 # 50,000 words
//   node examples/http/run.mjs --items 5000 --port 8080 --keep
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset, readWords } from '../../test/helpers/datasets.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '..', '..', 'dist', 'cli.js');
const { values } = parseArgs({
  options: { items: { type: 'string', default: '50000' }, port: { type: 'string', default: '0' }, keep: { type: 'boolean', default: false } },
});
const count = Number(values.items);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-http-'));
const file = path.join(dir, 'words.arroy');

// 1. An admin key, made before the service starts (only its hash is stored).
const admin = spawnSync(process.execPath, [CLI, 'serve', file, '--create-key'], { encoding: 'utf8' }).stdout.trim();

// 2. The service, on a free port; it prints the address it listens on.
const server = spawn(process.execPath, [CLI, 'serve', file, '--port', values.port], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /listening on (\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
  server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
console.log(`service at ${url}, file ${file}`);

async function call(method, route, key, body) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

// 3. A project, a key of its own, and a collection.
await call('POST', '/v1/projects', admin, { name: 'demo' });
const { key } = await call('POST', '/v1/projects/demo/keys', admin);
await call('POST', '/v1/projects/demo/collections', key, { name: 'words', dimensions: 100, distance: 'cosine' });

// 4. The words in batches of 1,000, without waiting for their builds (202),
//    then waiting once for the build of the last batch.
const glove = loadDataset('glove-100-angular');
const words = readWords();
const started = performance.now();
const builds = [];
for (let start = 0; start < count; start += 1000) {
  const items = [];
  for (let i = start; i < Math.min(count, start + 1000); i++) items.push({ id: words[i], vector: Array.from(glove.row('base', i)) });
  builds.push((await call('POST', '/v1/projects/demo/collections/words/batch?wait=false', key, { items })).build);
}
const last = Math.max(...builds);
const settled = await call('GET', `/v1/builds/${last}?wait=true`, key);
const { items } = await call('GET', '/v1/projects/demo/collections/words', key);
console.log(`${items} words in ${new Set(builds).size} builds (last: build ${last}, ${settled.state}), ${((performance.now() - started) / 1000).toFixed(1)} s`);

// 5. Nearest words: fetch a word's stored vector, search with it.
for (const word of ['king', 'paris', 'computer', 'river']) {
  const { vector } = await call('GET', `/v1/projects/demo/collections/words/items/${encodeURIComponent(word)}`, key);
  const { neighbors } = await call('POST', '/v1/projects/demo/collections/words/search', key, { vector, k: 6 });
  console.log(`${word}: ${neighbors.slice(1).map((n) => `${n.id} (${n.distance.toFixed(3)})`).join(', ')}`);
}

const exited = new Promise((resolve) => server.on('exit', resolve));
server.kill('SIGTERM');
const code = await exited;
if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
process.exitCode = code;
