#!/usr/bin/env node
// The arroy-ts demo: an index of 200,000 GloVe word vectors (cosine), built
// once into an LMDB file, then asked for word analogies and nearest
// neighbours. Run with `npm run demo`; `-- --rebuild` forces a fresh build.
//
//   king - man + woman  ->  queen
//   paris - france + italy  ->  rome
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Index } from '../dist/index.mjs';
import { loadDataset, readWords } from '../test/helpers/datasets.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.env.ARROY_DEMO_FILE ?? path.join(here, '..', 'glove-demo.arroy');
const rebuild = process.argv.includes('--rebuild');

const words = readWords();
const idOf = new Map(words.map((w, i) => [w, i]));

function vectorOf(index, word) {
  const id = idOf.get(word);
  const v = id === undefined ? undefined : index.get(id);
  if (!v) throw new Error(`"${word}" is not in the index`);
  return v;
}

function normalized(v) {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function analogy(index, a, b, c) {
  // a - b + c on unit vectors, as in the GloVe paper; the inputs themselves are skipped.
  const [va, vb, vc] = [a, b, c].map((w) => normalized(vectorOf(index, w)));
  const query = va.map((x, i) => x - vb[i] + vc[i]);
  const skip = new Set([a, b, c]);
  return index
    .search(query, { k: 8 })
    .filter((n) => !skip.has(words[n.id]))
    .slice(0, 5);
}

function show(neighbours) {
  return neighbours.map((n) => `${words[n.id]} (${(1 - n.distance).toFixed(3)})`).join(', ');
}

if (rebuild) for (const f of [file, `${file}-lock`]) fs.rmSync(f, { force: true });
let index = Index.open(file, { dimensions: 100, distance: 'cosine' });
if (index.size === 0) {
  console.log(`Building ${file} from ../shared/datasets/glove-100-angular ...`);
  const ds = loadDataset('glove-100-angular');
  for (let i = 0; i < ds.baseCount; i++) index.add(i, ds.row('base', i));
  let last = '';
  const result = await index.build({
    seed: 42,
    onProgress: ({ phase, done, total }) => {
      const percent = total ? Math.floor((100 * done) / total) : 100;
      // A live line on a terminal; a line per quarter in a log.
      const line = `  ${phase.padEnd(8)} ${process.stdout.isTTY ? percent : percent - (percent % 25)}%`;
      if (line !== last) process.stdout.write(process.stdout.isTTY ? `\r${line}   ` : `${line}\n`);
      last = line;
    },
  });
  if (process.stdout.isTTY) process.stdout.write('\r');
  console.log(`Built ${result.items.toLocaleString()} vectors in ${result.trees} trees in ${(result.durationMs / 1000).toFixed(1)} s.`);
}
index.close();

// Reopen like a fresh process would (e.g. a Lambda cold start): nothing is
// loaded up front; the first query reads only the pages it touches.
let t = performance.now();
index = Index.open(file, { readOnly: true });
const openMs = performance.now() - t;
t = performance.now();
const first = analogy(index, 'king', 'man', 'woman');
const firstMs = performance.now() - t;

console.log(`\nIndex: ${file} (${(fs.statSync(file).size / 1e6).toFixed(0)} MB, ${index.size.toLocaleString()} words, ${index.trees} trees, SIMD ${Index.simd})`);
console.log(`Opened in ${openMs.toFixed(2)} ms; first query answered in ${firstMs.toFixed(2)} ms.\n`);
console.log('Analogies (cosine similarity in brackets):');
console.log(`  king - man + woman     = ${show(first)}`);
for (const [a, b, c] of [['paris', 'france', 'italy'], ['tokyo', 'japan', 'germany'], ['better', 'good', 'bad']]) {
  console.log(`  ${`${a} - ${b} + ${c}`.padEnd(22)} = ${show(analogy(index, a, b, c))}`);
}

console.log('\nNearest neighbours:');
for (const word of ['computer', 'coffee', 'guitar', 'einstein', 'ocean']) {
  const hits = index.searchById(idOf.get(word), { k: 7 }).filter((n) => words[n.id] !== word).slice(0, 6);
  console.log(`  ${word.padEnd(9)} ${show(hits)}`);
}

const queries = 1000;
t = performance.now();
for (let i = 0; i < queries; i++) index.searchById(i * 97, { k: 10 });
const perQuery = (performance.now() - t) / queries;
console.log(`\n${queries} searches by id (k = 10, the default search: the graph at recall 0.95): ${(perQuery * 1000).toFixed(0)} µs each, ${Math.round(1000 / perQuery)} per second on one thread.`);
console.log(`Inspect the file with LMDB's own tools: mdb_stat -n -a ${file}`);
index.close();
