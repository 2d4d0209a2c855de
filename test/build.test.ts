// build(): pending changes, progress, cancellation, and atomic visibility.
import { describe, expect, it } from 'vitest';
import { ArroyError, Index, type BuildProgress } from '../src/index';
import { randomVectors } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

const DIM = 32;

function filled(count: number, seed = 1) {
  const index = Index.open(tempIndexPath(), { dimensions: DIM, distance: 'cosine' });
  randomVectors(count, DIM, seed).forEach((v, i) => index.add(i, v));
  return index;
}

describe('pending changes', () => {
  it('are invisible until build commits them, then counted', async () => {
    const index = filled(100);
    expect(index.pendingCount).toBe(100);
    expect(index.size).toBe(0);
    expect(index.get(5)).toBeUndefined();
    expect(index.search(new Float32Array(DIM).fill(1))).toEqual([]);
    const result = await index.build();
    // A new index gets a graph and the two trees that seed its searches.
    expect(result).toMatchObject({ items: 100, trees: 2, graph: true });
    expect(index.pendingCount).toBe(0);
    expect(index.size).toBe(100);

    index.delete(5);
    index.delete(123456); // never stored: a no-op
    index.add(7, new Float32Array(DIM).fill(0.5)); // overwrite
    index.add(200, new Float32Array(DIM).fill(-1));
    expect(index.pendingCount).toBe(4);
    expect(index.get(7)).not.toEqual(new Float32Array(DIM).fill(0.5));
    await index.build();
    expect(index.size).toBe(100);
    expect(index.get(5)).toBeUndefined();
    expect(index.get(7)).toEqual(new Float32Array(DIM).fill(0.5));
    expect(index.searchById(200, { k: 1 })).toEqual([{ id: 200, distance: expect.closeTo(0, 5) }]);
    expect(index.searchById(5)).toBeUndefined();
    index.close();
  });

  it('the last change to an id wins', async () => {
    const index = filled(0);
    index.add(1, new Float32Array(DIM).fill(1));
    index.delete(1);
    index.add(2, new Float32Array(DIM).fill(1));
    index.add(2, new Float32Array(DIM).fill(2));
    expect(index.pendingCount).toBe(2);
    await index.build();
    expect(index.get(1)).toBeUndefined();
    expect(index.get(2)).toEqual(new Float32Array(DIM).fill(2));
    index.close();
  });

  it('handles the empty index and a single item', async () => {
    const index = filled(0);
    expect(await index.build()).toMatchObject({ items: 0, trees: 0 });
    expect(index.search(new Float32Array(DIM).fill(1), { k: 3 })).toEqual([]);
    index.add(42, new Float32Array(DIM).fill(1));
    await index.build({ trees: 10 });
    expect(index.trees).toBe(1);
    expect(index.search(new Float32Array(DIM).fill(2), { k: 3 }).map((n) => n.id)).toEqual([42]);
    index.delete(42);
    await index.build();
    expect([index.size, index.trees]).toEqual([0, 0]);
    index.close();
  });
});

describe('progress and cancellation', () => {
  it('reports progress through every phase', async () => {
    const index = filled(20000);
    const events: BuildProgress[] = [];
    await index.build({ trees: 30, threads: 1, onProgress: (p) => events.push(p) });
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(['applying', 'trees', 'writing', 'graph', 'calibrating']).toContain(e.phase);
      expect(e.done).toBeLessThanOrEqual(e.total);
    }
    expect(events.some((e) => e.phase === 'trees' && e.done > 0)).toBe(true);

    // An incremental build counts its own work: routing and slabs, the
    // subtrees grown from overflowing buckets, the records written.
    const more = randomVectors(20000, DIM, 8);
    more.forEach((v, i) => index.add(100000 + i, v));
    events.length = 0;
    const result = await index.build({ trees: 30, threads: 1, onProgress: (p) => events.push(p) });
    expect(result.incremental).toBe(true);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(['applying', 'trees', 'writing', 'graph', 'calibrating']).toContain(e.phase);
      expect(e.done).toBeLessThanOrEqual(e.total);
    }
    index.close();
  });

  it('cancels through an AbortSignal and commits nothing', async () => {
    const index = filled(20000);
    const controller = new AbortController();
    const build = index.build({ trees: 200, threads: 1, signal: controller.signal, onProgress: () => controller.abort(new Error('stop')) });
    await expect(build).rejects.toMatchObject({ code: 'ERR_ARROY_ABORTED', cause: new Error('stop') });
    expect(index.size).toBe(0);
    expect(index.pendingCount).toBe(20000); // the changes are back, for the next build
    await index.build({ trees: 2 });
    expect(index.size).toBe(20000);
    index.close();
  });

  it('rejects at once with an aborted signal', async () => {
    const index = filled(10);
    await expect(index.build({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ARROY_ABORTED' });
    expect(index.pendingCount).toBe(10);
    index.close();
  });

  it('cancels when onProgress throws, rejecting with that error', async () => {
    const index = filled(20000);
    const oops = new Error('oops');
    await expect(index.build({ trees: 200, threads: 1, onProgress: () => { throw oops; } })).rejects.toBe(oops);
    expect(index.size).toBe(0);
    index.close();
  });

  it('refuses a second concurrent build of the same index', async () => {
    const index = filled(20000);
    const first = index.build({ trees: 20 });
    await expect(index.build()).rejects.toMatchObject({ code: 'ERR_ARROY_BUSY' });
    await first;
    index.close();
  });

  it('keeps changes made during a build for the next one', async () => {
    const index = filled(20000);
    const running = index.build({ trees: 10 });
    index.add(99999, new Float32Array(DIM).fill(3));
    expect(index.pendingCount).toBe(1);
    await running;
    expect(index.get(99999)).toBeUndefined();
    await index.build({ trees: 10 });
    expect(index.get(99999)).toEqual(new Float32Array(DIM).fill(3));
    index.close();
  });
});

describe('atomic visibility', () => {
  it('readers see the old forest until the new one commits', async () => {
    const index = filled(20000);
    await index.build({ trees: 4, seed: 1 });
    const query = randomVectors(1, DIM, 77)[0];
    const before = index.search(query, { k: 10 });
    for (let i = 20000; i < 40000; i++) index.add(i, randomVectors(1, DIM, i)[0]);
    const build = index.build({ trees: 40, seed: 2 });
    let settled = false;
    void build.finally(() => (settled = true));
    const seen: Array<{ size: number; hits: unknown }> = [];
    while (!settled) {
      seen.push({ size: index.size, hits: index.search(query, { k: 10 }) });
      await new Promise((r) => setImmediate(r));
    }
    await build;
    const after = index.search(query, { k: 10 });
    expect(index.size).toBe(40000);
    expect(index.trees).toBe(40);
    // Every observation is one committed state or the other, never a mix.
    for (const { size, hits } of seen) {
      expect([20000, 40000]).toContain(size);
      expect([JSON.stringify(before), JSON.stringify(after)]).toContain(JSON.stringify(hits));
    }
    expect(seen.filter((s) => s.size === 20000).length).toBeGreaterThan(0);
    index.close();
  });

  it('close() during a build cancels it', async () => {
    const index = filled(20000);
    const build = index.build({ trees: 200, threads: 1 });
    index.close();
    const error = await build.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArroyError);
    expect((error as ArroyError).code).toBe('ERR_ARROY_ABORTED');
  });
});
