// The neighbour graph: its options and errors, its invariants after every
// kind of build, determinism, every distance. Real-data recall, filters and
// incremental builds on GloVe: graph-glove.test.ts.
import { describe, expect, it } from 'vitest';
import { ArroyError, Index } from '../src/index';
import { random } from './helpers/random.mjs';
import { tempIndexPath } from './helpers/tmp';

function randomVectors(count: number, dims: number, seed: number): Float32Array[] {
  const next = random(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dims }, () => next() * 2 - 1));
}

async function smallIndex(options: Parameters<Index['build']>[0] = {}): Promise<Index> {
  const index = Index.open(tempIndexPath('graph'), { dimensions: 16, distance: 'euclidean' });
  randomVectors(2000, 16, 7).forEach((v, i) => index.add(i, v));
  await index.build({ seed: 1, ...options });
  return index;
}

describe('graph options', () => {
  it('a new index gets a graph, two trees and a measured recall curve', async () => {
    const index = await smallIndex();
    const stats = index.stats();
    expect(index.trees).toBe(2);
    expect(stats.graph).toBeDefined();
    const graph = stats.graph!;
    expect(graph.degree).toBe(16);
    expect(graph.linkedItems).toBe(2000);
    expect(graph.staleEdges).toBe(0);
    expect(graph.curve.length).toBeGreaterThan(1);
    for (let i = 1; i < graph.curve.length; i++) expect(graph.curve[i].ef).toBeGreaterThan(graph.curve[i - 1].ef);
    expect(graph.curve.at(-1)!.recall).toBeGreaterThan(0.99);
    index.check();
    const detail = index.searchDetailed(randomVectors(1, 16, 99)[0], { k: 5 });
    expect(detail.strategy).toBe('graph');
    expect(detail.ef).toBeGreaterThan(0);
    index.close();
  });

  it('recall 1 searches exactly; ef and searchK choose the path', async () => {
    const index = await smallIndex();
    const q = randomVectors(1, 16, 5)[0];
    const exact = index.searchDetailed(q, { k: 10, recall: 1 });
    expect(exact.strategy).toBe('exact');
    expect(index.searchDetailed(q, { k: 10, strategy: 'exact' }).neighbors).toEqual(exact.neighbors);
    const wide = index.searchDetailed(q, { k: 10, ef: 400 });
    expect(wide.strategy).toBe('graph');
    expect(wide.ef).toBe(400);
    expect(wide.neighbors.map((n) => n.id)).toEqual(exact.neighbors.map((n) => n.id));
    expect(index.searchDetailed(q, { k: 10, searchK: 500 }).strategy).toBe('forest');
    // A beam narrower than k still returns k results, sorted, for less work.
    const narrow = index.searchDetailed(q, { k: 10, ef: 3 });
    expect(narrow.ef).toBe(3);
    expect(narrow.neighbors).toHaveLength(10);
    for (let i = 1; i < 10; i++) expect(narrow.neighbors[i].distance).toBeGreaterThanOrEqual(narrow.neighbors[i - 1].distance);
    expect(narrow.scored).toBeLessThan(index.searchDetailed(q, { k: 10, ef: 10 }).scored);
    index.close();
  });

  it('rejects bad recall, ef and graphDegree with typed errors', async () => {
    const index = await smallIndex();
    const q = randomVectors(1, 16, 5)[0];
    for (const recall of [0, -0.5, 1.5, Number.NaN, '0.9']) {
      expect(() => index.search(q, { recall: recall as number })).toThrow(
        expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT', message: expect.stringMatching(/recall/) }),
      );
    }
    for (const ef of [0, 1.5, -1, 2 ** 21]) {
      expect(() => index.search(q, { ef })).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    }
    index.add(5000, q);
    await expect(index.build({ graphDegree: 0 })).rejects.toThrow(ArroyError);
    await expect(index.build({ graphDegree: 257 })).rejects.toThrow(/graphDegree/);
    index.close();
  });

  it('graph: false drops the graph and searches the forest; the graph strategy then fails', async () => {
    const index = await smallIndex();
    const result = await index.build({ graph: false, rebuild: true });
    expect(result.graph).toBe(false);
    expect(index.stats().graph).toBeUndefined();
    expect(index.trees).toBeGreaterThan(2);
    const q = randomVectors(1, 16, 5)[0];
    expect(index.searchDetailed(q).strategy).toBe('forest');
    expect(() => index.search(q, { strategy: 'graph' })).toThrow(
      expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT', message: expect.stringMatching(/graph/) }),
    );
    index.check();
    // And back: the next build with graph: true links every item.
    await index.build({ graph: true });
    expect(index.stats().graph?.linkedItems).toBe(2000);
    index.check();
    index.close();
  });

  it('is the same graph for any number of threads', async () => {
    const one = await smallIndex({ threads: 1 });
    const two = await smallIndex({ threads: 2 });
    const queries = randomVectors(50, 16, 11);
    for (const q of queries) expect(two.searchIds(q, { ef: 20 })).toEqual(one.searchIds(q, { ef: 20 }));
    expect(two.stats().graph).toEqual(one.stats().graph);
    one.close();
    two.close();
  });

  it('handles the empty index, one item and two items', async () => {
    const index = Index.open(tempIndexPath('tiny'), { dimensions: 4, distance: 'cosine' });
    await index.build();
    expect(index.search(new Float32Array([1, 0, 0, 0]))).toEqual([]);
    index.add(1, new Float32Array([1, 0, 0, 0]));
    await index.build();
    expect(index.search(new Float32Array([1, 0, 0, 0])).map((n) => n.id)).toEqual([1]);
    index.add(2, new Float32Array([0, 1, 0, 0]));
    await index.build();
    expect(index.search(new Float32Array([0, 1, 0, 0])).map((n) => n.id)).toEqual([2, 1]);
    index.check();
    index.delete(1);
    index.delete(2);
    await index.build();
    expect(index.search(new Float32Array([0, 1, 0, 0]))).toEqual([]);
    index.check();
    index.close();
  });

  it('links items of every distance, the dot product through its lifted space', async () => {
    for (const distance of ['euclidean', 'manhattan', 'cosine', 'dot'] as const) {
      const index = Index.open(tempIndexPath(distance), { dimensions: 12, distance });
      const vectors = randomVectors(1500, 12, 3);
      vectors.forEach((v, i) => index.add(i, v));
      await index.build({ seed: 9 });
      index.check();
      let hits = 0;
      const queries = randomVectors(40, 12, 21);
      for (const q of queries) {
        const exact = new Set(index.searchIds(q, { k: 10, strategy: 'exact' }));
        for (const id of index.searchIds(q, { k: 10, recall: 0.95 })) hits += exact.has(id) ? 1 : 0;
      }
      expect(hits / (queries.length * 10), distance).toBeGreaterThanOrEqual(0.9);
      index.close();
    }
  });
});
