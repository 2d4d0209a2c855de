// searchAsync and searchBatch: the same answers as search() (they share its
// path through the core), off the main thread, safe against close(), abort,
// a writer in another process and a worker_thread torn down mid-flight.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ArroyError, Database, Filter, Index } from '../src/index';
import { bruteForce, randomVectors } from './helpers/brute';
import { loadDataset } from './helpers/datasets.mjs';
import { tempIndexPath } from './helpers/tmp';

const ITEMS = 20_000;
const QUERIES = 100;
const SEARCH_K = 3000;

function matrixOf(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.length * rows[0].length);
  rows.forEach((r, i) => out.set(r, i * r.length));
  return out;
}

async function smallIndex(count = 2000, dim = 16): Promise<{ index: Index<number>; file: string; vectors: Float32Array[] }> {
  const file = tempIndexPath('async-small');
  const vectors = randomVectors(count, dim, 7);
  const index = Index.open(file, { dimensions: dim, distance: 'euclidean', keys: 'number' });
  vectors.forEach((v, i) => index.add(i, v));
  await index.build({ trees: 10, seed: 3 });
  return { index, file, vectors };
}

const code = (c: string) => expect.objectContaining({ code: c });

describe('searchAsync / searchBatch on a GloVe subset (20,000 x 100, cosine)', () => {
  it('return exactly what search() returns, and reach its recall against brute force', async () => {
    const ds = loadDataset('glove-100-angular');
    const items: Array<[number, Float32Array]> = [];
    const index = Index.open(tempIndexPath('async-glove'), { dimensions: ds.dim, distance: ds.distance });
    for (let i = 0; i < ITEMS; i++) {
      items.push([i, ds.row('base', i)]);
      index.add(i, ds.row('base', i));
    }
    await index.build({ seed: 42 });
    const queries = Array.from({ length: QUERIES }, (_, q) => ds.row('queries', q));
    const allowed = new Filter(Uint32Array.from({ length: ITEMS / 10 }, (_, i) => i * 10));
    for (const options of [{ k: 10, searchK: SEARCH_K }, { k: 10, filter: allowed }, { k: 7, strategy: 'exact' as const }]) {
      const sync = queries.map((q) => index.search(q, options));
      const concurrent = await Promise.all(queries.map((q) => index.searchAsync(q, options)));
      expect(concurrent).toEqual(sync);
      for (const threads of [1, 2, 3]) {
        const batch = await index.searchBatch(matrixOf(queries), { ...options, threads });
        const k = options.k;
        expect(batch.k).toBe(k);
        sync.forEach((hits, q) => {
          expect(batch.counts[q]).toBe(hits.length);
          expect(Array.from(batch.ids.subarray(q * k, q * k + hits.length))).toEqual(hits.map((h) => h.id));
          expect(Array.from(batch.distances.subarray(q * k, q * k + hits.length))).toEqual(hits.map((h) => Math.fround(h.distance)));
        });
      }
    }
    let hits = 0;
    const answers = await Promise.all(queries.map((q) => index.searchAsync(q, { k: 10, searchK: SEARCH_K })));
    answers.forEach((answer, q) => {
      const truth = new Set(bruteForce('cosine', items, queries[q], 10).map((n) => n.id));
      for (const hit of answer) if (truth.has(hit.id)) hits++;
    });
    const recall = hits / (QUERIES * 10);
    console.log(`searchAsync, GloVe subset: recall@10 = ${recall.toFixed(3)} at searchK = ${SEARCH_K}`);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    index.close();
  });
});

describe('searchAsync / searchBatch', () => {
  it('pad rows with fewer than k hits and count them; carry keys in string-keyed indexes', async () => {
    const file = tempIndexPath('async-keys');
    const vectors = randomVectors(50, 8, 11);
    const index = Index.open(file, { dimensions: 8, distance: 'euclidean', keys: 'string' });
    vectors.forEach((v, i) => index.add(`item-${i}`, v));
    await index.build({ seed: 1 });
    const filter = new Filter(['item-3', 'item-4', 'item-5']);
    const batch = await index.searchBatch(matrixOf(vectors.slice(0, 4)), { k: 5, filter });
    for (let r = 0; r < 4; r++) {
      const sync = index.search(vectors[r], { k: 5, filter });
      expect(batch.counts[r]).toBe(3);
      expect(batch.keys!.slice(r * 5, r * 5 + 3)).toEqual(sync.map((n) => n.key));
      expect(Array.from(batch.ids.subarray(r * 5 + 3, r * 5 + 5))).toEqual([0xffffffff, 0xffffffff]);
      expect(Array.from(batch.distances.subarray(r * 5 + 3, r * 5 + 5))).toEqual([Infinity, Infinity]);
      expect(batch.keys![r * 5 + 3]).toBeUndefined();
    }
    expect(await index.searchAsync(vectors[7], { k: 3 })).toEqual(index.search(vectors[7], { k: 3 }));
    // A filter given inline is created for this call only: the search keeps it alive.
    const inline = await Promise.all(vectors.map((v) => index.searchAsync(v, { k: 2, filter: ['item-1', 'item-2'] })));
    inline.forEach((hits, i) => expect(hits).toEqual(index.search(vectors[i], { k: 2, filter: ['item-1', 'item-2'] })));
    index.close();
  });

  it('reject bad input with typed errors', async () => {
    const { index, vectors } = await smallIndex(200);
    const q = vectors[0];
    await expect(index.searchAsync([1, 2] as unknown as Float32Array)).rejects.toThrow(code('ERR_ARROY_DIMENSION_MISMATCH'));
    await expect(index.searchAsync(new Float32Array(16).fill(NaN))).rejects.toThrow(code('ERR_ARROY_INVALID_ARGUMENT'));
    await expect(index.searchAsync('nope' as unknown as Float32Array)).rejects.toThrow(code('ERR_ARROY_INVALID_ARGUMENT'));
    await expect(index.searchAsync(q, { k: 0 })).rejects.toThrow(code('ERR_ARROY_INVALID_ARGUMENT'));
    await expect(index.searchAsync(q, { signal: {} as AbortSignal })).rejects.toThrow(code('ERR_ARROY_INVALID_ARGUMENT'));
    await expect(index.searchAsync(q, { filter: 5 as unknown as number[] })).rejects.toThrow(code('ERR_ARROY_INVALID_ARGUMENT'));
    await expect(index.searchBatch(new Float32Array(17))).rejects.toThrow(code('ERR_ARROY_DIMENSION_MISMATCH'));
    await expect(index.searchBatch([q] as unknown as Float32Array)).rejects.toThrow(code('ERR_ARROY_INVALID_ARGUMENT'));
    await expect(index.searchBatch(matrixOf([q]), { threads: 0 })).rejects.toThrow(code('ERR_ARROY_INVALID_ARGUMENT'));
    const bad = matrixOf([q, q]);
    bad[20] = Infinity;
    await expect(index.searchBatch(bad)).rejects.toThrow(code('ERR_ARROY_INVALID_ARGUMENT'));
    expect(await index.searchBatch(new Float32Array(0))).toMatchObject({ counts: new Uint32Array(0) });
    index.close();
    await expect(index.searchAsync(q)).rejects.toThrow(code('ERR_ARROY_CLOSED'));
    await expect(index.searchBatch(matrixOf([q]))).rejects.toThrow(code('ERR_ARROY_CLOSED'));
  });

  it('abort through an AbortSignal, before or during the search', async () => {
    const { index, vectors } = await smallIndex(4000);
    const reason = new Error('stop');
    await expect(index.searchAsync(vectors[0], { signal: AbortSignal.abort(reason) })).rejects.toThrow(
      expect.objectContaining({ code: 'ERR_ARROY_ABORTED', cause: reason }),
    );
    const rows = Array.from({ length: 4000 }, (_, i) => vectors[i]);
    const controller = new AbortController();
    const batch = index.searchBatch(matrixOf(rows), { k: 10, searchK: 4000, signal: controller.signal });
    controller.abort(reason);
    await expect(batch).rejects.toThrow(expect.objectContaining({ code: 'ERR_ARROY_ABORTED', cause: reason }));
    // A signal that never fires changes nothing.
    const kept = new AbortController();
    expect(await index.searchAsync(vectors[5], { k: 3, signal: kept.signal })).toEqual(index.search(vectors[5], { k: 3 }));
    index.close();
  });

  it('survive close() with searches in flight, then release the file', async () => {
    const { index, file, vectors } = await smallIndex(4000);
    const expected = vectors.slice(0, 200).map((v) => index.search(v, { k: 5 }));
    const inFlight = vectors.slice(0, 200).map((v) => index.searchAsync(v, { k: 5 }));
    const batch = Promise.allSettled([index.searchBatch(matrixOf(vectors.slice(0, 500)), { k: 5, threads: 2 })]);
    index.close();
    const settled = await Promise.allSettled(inFlight);
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') expect(s.value).toEqual(expected[i]);
      else expect(s.reason).toMatchObject({ code: 'ERR_ARROY_CLOSED' });
    });
    const [batched] = await batch;
    if (batched.status === 'fulfilled') expect(Array.from(batched.value.ids.subarray(0, 5))).toEqual(expected[0].map((n) => n.id));
    else expect(batched.reason).toMatchObject({ code: 'ERR_ARROY_CLOSED' });
    // Every search has let go of the file: it reopens with another readOnly setting.
    const reader = Index.open(file, { readOnly: true });
    expect(await reader.searchAsync(vectors[3], { k: 5 })).toEqual(expected[3]);
    reader.close();
  });

  it('leave the process healthy when a worker_thread with searches in flight is terminated', async () => {
    const { index, file, vectors } = await smallIndex(2000);
    index.close();
    const queries = vectors.slice(0, 50).map((v) => Array.from(v));
    const workers = Array.from({ length: 2 }, () => new Worker(path.join(__dirname, 'fixtures', 'worker.mjs'), { workerData: { mode: 'async-flood', file, queries } }));
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject))));
    await Promise.all(workers.map((w) => w.terminate()));
    const reader = Index.open(file, { readOnly: true });
    expect((await reader.searchAsync(vectors[9], { k: 1 }))[0].id).toBe(9);
    reader.close();
  });

  it('see a writer in another process commit, with no error while it builds', async () => {
    const { index, file, vectors } = await smallIndex(2000);
    const writer = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'proc-writer.mjs'), file, '100000', '3000'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    writer.stdout.on('data', (chunk) => (out += chunk));
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    const exited = new Promise<number>((resolve) => writer.once('exit', (c) => resolve(c ?? -1)));
    writer.stdin.write('go\n');
    let done = false;
    void exited.then(() => (done = true));
    let rounds = 0;
    const sizes = new Set<number>();
    while (!done || rounds === 0) {
      const answers = await Promise.all(vectors.slice(0, 64).map((v) => index.searchAsync(v, { k: 1, searchK: 200 })));
      answers.forEach((a, i) => expect(a[0].id).toBe(i));
      sizes.add(index.size);
      rounds++;
    }
    expect(await exited).toBe(0);
    expect(JSON.parse(out.slice(out.indexOf('{'))).items).toBe(5000);
    const probe = Float32Array.from({ length: 16 }, (_, j) => Math.sin(100123 * 0.61 + j));
    expect((await index.searchAsync(probe, { k: 1, strategy: 'exact' }))[0].id).toBe(100123);
    const batch = await index.searchBatch(matrixOf([probe, vectors[4]]), { k: 1, strategy: 'exact' });
    expect(Array.from(batch.ids)).toEqual([100123, 4]);
    console.log(`async searches during the other process's build: ${rounds} rounds of 64, sizes seen ${[...sizes].join(', ')}`);
    index.close();
  });

  it('close Index and Database through Symbol.dispose (`using` declarations)', async () => {
    const { index, vectors } = await smallIndex(100);
    const file = index.path;
    index.close();
    {
      using reader = Index.open(file, { readOnly: true });
      expect(reader.search(vectors[1], { k: 1 })[0].id).toBe(1);
      expect(() => Index.open(file)).toThrow(code('ERR_ARROY_INVALID_ARGUMENT')); // held read-only until the block ends
    }
    const writer = Index.open(file);
    writer[Symbol.dispose]();
    expect(() => writer.size).toThrow(code('ERR_ARROY_CLOSED'));
    let outside: Database | undefined;
    {
      using db = Database.open(file);
      expect(db.index('default').size).toBe(100);
      outside = db;
    }
    expect(() => outside!.names()).toThrow(expect.any(ArroyError));
    expect(() => outside!.names()).toThrow(code('ERR_ARROY_CLOSED'));
  });
});
