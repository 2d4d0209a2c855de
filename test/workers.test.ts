// worker_threads: one LMDB environment per file per process, shared by every
// thread; a worker that ends (terminated mid-search or mid-build included)
// releases what it opened and leaves the process healthy.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { randomVectors } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

const DIM = 16;
const script = path.join(__dirname, 'fixtures', 'worker.mjs');
const vectors = randomVectors(4000, DIM, 31);
const queries = randomVectors(20, DIM, 32).map((q) => Array.from(q));

async function makeIndex(): Promise<string> {
  const file = tempIndexPath('workers');
  const index = Index.open(file, { dimensions: DIM, distance: 'euclidean' });
  vectors.forEach((v, i) => index.add(i, v));
  await index.build({ trees: 10, seed: 4 });
  index.close();
  return file;
}

function start(data: object): Worker {
  return new Worker(script, { workerData: data });
}

function message(worker: Worker, wanted?: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (wanted === undefined || m === wanted) {
        worker.off('message', onMessage);
        resolve(m);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

const conflict = expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' });

describe('worker_threads', () => {
  it('releases the file when workers searching in a loop are terminated', async () => {
    const file = await makeIndex();
    const workers = Array.from({ length: 3 }, () => start({ mode: 'search-loop', file, queries }));
    await Promise.all(workers.map((w) => message(w, 'ready')));
    // The workers hold the file writable: a read-only open conflicts.
    expect(() => Index.open(file, { readOnly: true })).toThrow(conflict);
    await Promise.all(workers.map((w) => w.terminate()));
    const index = Index.open(file, { readOnly: true });
    expect(index.size).toBe(vectors.length);
    expect(index.search(vectors[9], { k: 1 })[0].id).toBe(9);
    index.close();
  });

  it('stays healthy when a worker is terminated mid-build', async () => {
    const file = await makeIndex();
    const worker = start({ mode: 'build', file, count: 30000, dimensions: DIM });
    await message(worker, 'building');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await worker.terminate();
    const terminateMs = Date.now() - started;
    // Released: opens with another readOnly setting than the worker's.
    const reader = Index.open(file, { readOnly: true });
    // The build (about a second of work) was cancelled, not finished: nothing of it committed.
    expect(reader.size).toBe(vectors.length);
    reader.check();
    reader.close();
    const writer = Index.open(file);
    writer.add(999999, vectors[0]);
    await writer.build();
    expect(writer.search(vectors[0], { k: 2, searchK: 5000 }).map((n) => n.id).sort((a, b) => a - b)).toEqual([0, 999999]);
    writer.check();
    writer.close();
    expect(terminateMs).toBeLessThan(10_000);
  });

  it('gives many concurrent worker readers identical results', async () => {
    const file = await makeIndex();
    const index = Index.open(file); // writable, as the workers open it
    const expected = queries.map((q) => index.search(q, { k: 10 }));
    const results = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const worker = start({ mode: 'search-once', file, queries });
        const result = await message(worker);
        await worker.terminate();
        return result;
      }),
    );
    for (const result of results) expect(result).toEqual(expected);
    index.close();
    // Every worker closed or ended: the file opens read-only again.
    Index.open(file, { readOnly: true }).close();
  });
});
