// A short workload touching every part of the addon, for scripts/valgrind-leaks.sh:
// create, add, build, incremental add/delete/build, searches, get, a string-keyed
// index, a multi-index Database with a drop, error paths, a cancelled build,
// snapshots and verified opens, then
// close everything and let the process exit normally (so that whatever is still
// allocated shows up in the leak report).
//
// Sizes are small because the whole of Node runs under valgrind (~50x slower).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { Index, Database, ArroyError } = require('../../dist/index.js');

const dir = mkdtempSync(join(tmpdir(), 'arroy-leaks-'));
let seed = 12345;
function random() {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 0x100000000 - 0.5;
}
// Valgrind cannot reserve the default 64 GiB of address space for the map.
const mapSize = 64 << 20;
function vector(dimensions) {
  return Float32Array.from({ length: dimensions }, random);
}
function expectArroyError(body) {
  try {
    body();
  } catch (error) {
    if (error instanceof ArroyError) return;
    throw error;
  }
  throw new Error('expected an ArroyError');
}

async function numericIndex(path) {
  const dims = 16;
  const index = Index.open(path, { name: 'numbers', dimensions: dims, distance: 'euclidean', mapSize });
  for (let id = 0; id < 3000; id++) index.add(id, vector(dims));
  await index.build({ trees: 8, seed: 1 });
  // Incremental: new items, deletions, a replaced vector.
  for (let id = 3000; id < 3300; id++) index.add(id, vector(dims));
  for (let id = 0; id < 300; id += 3) index.delete(id);
  index.add(5, vector(dims));
  await index.build();
  const query = vector(dims);
  index.search(query, { k: 10 });
  index.search(query, { k: 50, searchK: 2000 });
  index.searchIds(query, { k: 10 });
  index.searchById(4, { k: 5 });
  index.searchById(999999, { k: 5 });
  index.get(7);
  index.get(3);  // deleted
  index.has(8);
  index.distanceBetween(1, 2);
  let count = 0;
  for (const _ of index.ids()) count++;
  if (count !== index.size) throw new Error(`ids() gave ${count} of ${index.size}`);
  index.stats();
  index.check();
  // Error paths allocate and free messages and JS errors.
  expectArroyError(() => index.add(1, vector(dims + 1)));
  expectArroyError(() => index.search(vector(3)));
  // A build cancelled before it finishes.
  for (let id = 4000; id < 4200; id++) index.add(id, vector(dims));
  const controller = new AbortController();
  const cancelled = index.build({ signal: controller.signal });
  controller.abort();
  await cancelled.catch(() => {});
  await index.build();  // the pending changes come back after a cancellation
  index.close();
  expectArroyError(() => index.size);

  const reader = Index.open(path, { name: 'numbers', readOnly: true, mapSize });
  reader.search(query, { k: 3 });
  // Snapshots: written off-thread, verified on open; a cancelled one and a damaged one.
  const snapshot = `${path}.snapshot`;
  await reader.snapshot(snapshot);
  const aborting = new AbortController();
  const aborted = reader.snapshot(`${path}.never`, { signal: aborting.signal });
  aborting.abort();
  await aborted.catch(() => {});
  reader.close();
  const shipped = Index.open(snapshot, { name: 'numbers', readOnly: true, verify: true, mapSize });
  shipped.search(query, { k: 3 });
  shipped.close();
  expectArroyError(() => Index.open(path, { name: 'numbers', readOnly: true, verify: true, mapSize }));
}

async function stringKeyedIndex(path) {
  const dims = 8;
  const index = Index.open(path, { name: 'words', dimensions: dims, distance: 'cosine', keys: 'string', mapSize });
  for (let i = 0; i < 1000; i++) index.add(`word-${i}`, vector(dims));
  await index.build({ trees: 4 });
  for (let i = 0; i < 100; i++) index.delete(`word-${i}`);
  index.add('extra', vector(dims));
  await index.build();
  index.search(vector(dims), { k: 10 });
  index.searchById('word-500', { k: 5 });
  index.get('word-700');
  let count = 0;
  for (const _ of index.keyNames()) count++;
  if (count !== index.size) throw new Error(`keyNames() gave ${count} of ${index.size}`);
  index.check();
  index.close();
}

async function database(path) {
  const db = Database.open(path, { mapSize });
  const a = db.index('a', { dimensions: 4, distance: 'manhattan' });
  const b = db.index('b', { dimensions: 6, distance: 'dot' });
  for (let id = 0; id < 500; id++) {
    a.add(id, vector(4));
    b.add(id, vector(6));
  }
  await db.build({ trees: 3 });
  a.search(vector(4), { k: 5 });
  b.search(vector(6), { k: 5 });
  db.names();
  if (!db.drop('b')) throw new Error('drop failed');
  expectArroyError(() => b.search(vector(6)));
  db.close();
}

try {
  await numericIndex(join(dir, 'numbers.arroy'));
  await stringKeyedIndex(join(dir, 'numbers.arroy'));
  await database(join(dir, 'database.arroy'));
  console.log('leak workload done');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
