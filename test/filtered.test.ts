// Filtered search: only allowed items come back, on either strategy, with the
// cost model choosing between them (recall on GloVe: filtered-glove.test.ts).
import { describe, expect, it } from 'vitest';
import { ArroyError, Filter, Index } from '../src/index';
import { bruteForce, random, randomVectors } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

async function smallIndex(count = 2000, dim = 8) {
  const index = Index.open(tempIndexPath(), { dimensions: dim, distance: 'euclidean' });
  const vectors = randomVectors(count, dim, 7);
  vectors.forEach((v, id) => index.add(id, v));
  await index.build({ seed: 3 });
  return { index, vectors };
}

describe('filtered search', () => {
  it('returns only allowed ids, exactly, on both strategies', async () => {
    const { index, vectors } = await smallIndex();
    const next = random(11);
    const allowed = Array.from({ length: 150 }, () => Math.floor(next() * vectors.length));
    const allowedItems = [...new Set(allowed)].map((id): [number, Float32Array] => [id, vectors[id]]);
    const filter = new Filter(allowed);
    expect(filter.size).toBe(allowedItems.length);
    for (let q = 0; q < 20; q++) {
      const query = vectors[(q * 37) % vectors.length].map((x) => x + 0.01);
      const truth = bruteForce('euclidean', allowedItems, query, 10).map((n) => n.id);
      const exact = index.searchDetailed(query, { k: 10, filter, strategy: 'exact' });
      expect(exact.strategy).toBe('exact');
      expect(exact.scored).toBe(allowedItems.length);
      expect(exact.neighbors.map((n) => n.id)).toEqual(truth);
      // The forest, asked for every allowed item, finds the same.
      const forest = index.searchDetailed(query, { k: 10, filter, strategy: 'forest', searchK: 100000 });
      expect(forest.strategy).toBe('forest');
      expect(forest.neighbors.map((n) => n.id)).toEqual(truth);
      // A small searchK still returns only allowed ids.
      const quick = index.search(query, { k: 10, filter, strategy: 'forest', searchK: 20 });
      for (const n of quick) expect(allowed).toContain(n.id);
    }
    index.close();
  });

  it('lets the cost model scan small sets and walk the graph (or, without one, the forest) for large ones', async () => {
    const { index } = await smallIndex(20000, 4);
    const query = [0.1, 0.2, 0.3, 0.4];
    const small = index.searchDetailed(query, { k: 5, filter: Array.from({ length: 50 }, (_, i) => i * 7) });
    expect(small.strategy).toBe('exact');
    const largeFilter = Uint32Array.from({ length: 15000 }, (_, i) => i);
    const large = index.searchDetailed(query, { k: 5, filter: largeFilter });
    expect(large.strategy).toBe('graph');
    expect(large.neighbors.every((n) => n.id < 15000)).toBe(true);
    expect(index.searchDetailed(query, { k: 5 }).strategy).toBe('graph');
    const forest = index.searchDetailed(query, { k: 5, filter: largeFilter, searchK: 500 });
    expect(forest.strategy).toBe('forest');
    expect(forest.neighbors.every((n) => n.id < 15000)).toBe(true);
    // 'exact' without a filter scores every item.
    const all = index.searchDetailed(query, { k: 5, strategy: 'exact' });
    expect(all).toMatchObject({ strategy: 'exact', scored: 20000 });
    expect(all.neighbors.map((n) => n.id)).toEqual(index.search(query, { k: 5, searchK: 1e9 }).map((n) => n.id));
    index.close();
  });

  it('accepts Sets and arrays, ignores ids not stored and follows commits', async () => {
    const { index, vectors } = await smallIndex(500, 8);
    const filter = new Filter([1, 2, 3, 4_000_000]);
    expect(index.search(vectors[1], { k: 10, filter }).map((n) => n.id).sort()).toEqual([1, 2, 3]);
    expect(index.search(vectors[2], { k: 10, filter: new Set([2, 9]) }).map((n) => n.id).sort()).toEqual([2, 9]);
    expect(index.searchById(3, { k: 10, filter })!.map((n) => n.id).sort()).toEqual([1, 2, 3]);
    // The same Filter after a commit: deleted ids go, added ones come.
    index.delete(2);
    index.add(4_000_000, vectors[0]);
    await index.build();
    expect(index.search(vectors[1], { k: 10, filter }).map((n) => n.id).sort((a, b) => a - b)).toEqual([1, 3, 4_000_000]);
    expect(index.search(vectors[1], { k: 10, filter: [] })).toEqual([]);
    index.close();
  });

  it('filters by key in string-keyed indexes, including keys committed later', async () => {
    const index = Index.open(tempIndexPath(), { dimensions: 2, distance: 'euclidean', keys: 'string' });
    for (let i = 0; i < 100; i++) index.add(`doc-${i}`, [i, 0]);
    await index.build();
    const filter = new Filter(['doc-10', 'doc-90', 'doc-new']);
    expect(index.search([50, 0], { k: 5, filter }).map((n) => n.key)).toEqual(['doc-10', 'doc-90']);
    index.add('doc-new', [51, 0]);
    await index.build();
    expect(index.search([50, 0], { k: 5, filter }).map((n) => n.key)).toEqual(['doc-new', 'doc-10', 'doc-90']);
    index.close();
  });

  it('rejects bad filters and strategies with typed errors', async () => {
    const { index } = await smallIndex(100, 8);
    const query = new Float32Array(8);
    for (const filter of [{}, 5, 'abc-not-iterable-as-ids', [1.5], [-1]] as unknown[]) {
      expect(() => index.search(query, { filter: filter as number[] })).toThrow(ArroyError);
    }
    expect(() => index.search(query, { strategy: 'fast' as 'auto' })).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    index.close();
  });
});
