// The neighbour graph: its options and errors, its invariants after every
// kind of build, filters on it, and incremental builds that keep recall
// within 0.01 of a fresh build. Recall is measured against exact ground
// truth computed here by brute force over a GloVe subset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArroyError, Index } from '../src/index';
import { filteredTruth, loadDataset, randomSubset, recallAgainst, type Dataset } from './helpers/datasets.mjs';
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
    expect(detail.ef).toBeGreaterThanOrEqual(5);
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
    expect(index.searchDetailed(q, { k: 10, ef: 3 }).ef).toBe(10); // never below k
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

// A random quarter of GloVe (50k words: a random sample, so that the queries
// come from the same distribution as the items), big enough for the graph to
// matter and small enough for CI.
describe('graph on GloVe (50k)', () => {
  let ds: Dataset;
  let index: Index;
  let subset: Uint32Array;
  let others: number[]; // base rows outside the subset, for adds and overwrites
  let truth: number[][];

  function recallOf(idx: Index, expected: number[][], options = {}): number {
    const results: number[][] = [];
    for (let q = 0; q < ds.queryCount; q++) results.push(Array.from(idx.searchIds(ds.row('queries', q), { k: 10, ...options })));
    return recallAgainst(results, expected);
  }

  beforeAll(async () => {
    ds = loadDataset('glove-100-angular');
    subset = randomSubset(ds, 0.25, 3);
    const inside = new Set(subset);
    others = Array.from({ length: ds.baseCount }, (_, i) => i).filter((i) => !inside.has(i));
    index = Index.open(tempIndexPath('glove-graph'), { dimensions: ds.dim, distance: ds.distance });
    for (const id of subset) index.add(id, ds.row('base', id));
    await index.build({ seed: 42 });
    truth = filteredTruth(ds, subset, 10);
  });
  afterAll(() => index?.close());

  it('reaches the recall it is asked for', () => {
    for (const target of [0.9, 0.95, 0.99]) {
      const recall = recallOf(index, truth, { recall: target });
      console.log(`GloVe 50k: asked ${target}, got ${recall.toFixed(4)}`);
      expect(recall).toBeGreaterThanOrEqual(target - 0.005);
    }
    const byDefault = recallOf(index, truth);
    console.log(`GloVe 50k: default search recall ${byDefault.toFixed(4)}`);
    expect(byDefault).toBeGreaterThanOrEqual(0.95);
  });

  it('filters on the graph for large allowed sets and scans small ones', () => {
    const next = random(17);
    for (const fraction of [0.3, 0.01]) {
      const allowed = subset.filter(() => next() < fraction);
      const expected = filteredTruth(ds, allowed, 10);
      const strategy = index.searchDetailed(ds.row('queries', 0), { filter: allowed }).strategy;
      const recall = recallOf(index, expected, { filter: allowed });
      console.log(`GloVe 50k: ${fraction * 100}% allowed: ${strategy}, recall ${recall.toFixed(4)}`);
      expect(strategy).toBe(fraction > 0.1 ? 'graph' : 'exact');
      expect(recall).toBeGreaterThanOrEqual(fraction > 0.1 ? 0.95 : 0.99);
      const allowedSet = new Set(allowed);
      for (let q = 0; q < 20; q++) {
        for (const id of index.searchIds(ds.row('queries', q), { filter: allowed })) expect(allowedSet.has(id)).toBe(true);
      }
    }
  });

  it('keeps recall within 0.01 of a fresh build through 1% adds, deletes and overwrites', async () => {
    const next = random(5);
    const live = new Map<number, Float32Array>();
    for (const id of subset) live.set(id, ds.row('base', id));
    const batch = subset.length / 100;
    for (let i = 0; i < batch; i++) {
      const id = others[i];
      index.add(id, ds.row('base', id));
      live.set(id, ds.row('base', id));
    }
    let result = await index.build();
    expect(result.incremental).toBe(true);
    // Deletes, then overwrites (another word's vector stored under the id).
    const ids = Array.from(live.keys());
    for (let i = 0; i < batch; i++) {
      const id = ids[Math.floor(next() * ids.length)];
      index.delete(id);
      live.delete(id);
    }
    for (let i = 0; i < batch; i++) {
      const id = ids[Math.floor(next() * ids.length)];
      const vector = ds.row('base', others[batch + i]);
      index.add(id, vector);
      live.set(id, vector);
    }
    result = await index.build();
    expect(result.incremental).toBe(true);
    expect(index.size).toBe(live.size);
    index.check();
    expect(index.stats().graph!.linkedItems).toBe(live.size);

    const fresh = Index.open(tempIndexPath('glove-fresh'), { dimensions: ds.dim, distance: ds.distance });
    for (const [id, v] of live) fresh.add(id, v);
    await fresh.build({ seed: 42 });
    const liveTruth = bruteForce(ds, live);
    for (const target of [0.9, 0.95]) {
      const edited = recallOf(index, liveTruth, { recall: target });
      const rebuilt = recallOf(fresh, liveTruth, { recall: target });
      console.log(`GloVe 50k after 1% changes, asked ${target}: incremental ${edited.toFixed(4)}, fresh ${rebuilt.toFixed(4)}`);
      expect(edited).toBeGreaterThanOrEqual(rebuilt - 0.01);
    }
    fresh.close();
  });
});

// Exact top 10 (cosine) of every query among the given items.
function bruteForce(ds: Dataset, items: Map<number, Float32Array>): number[][] {
  const ids = Array.from(items.keys());
  const vectors = ids.map((id) => items.get(id)!);
  const norms = vectors.map((v) => Math.hypot(...v));
  const out: number[][] = [];
  for (let q = 0; q < ds.queryCount; q++) {
    const query = ds.row('queries', q);
    const qn = Math.hypot(...query);
    const scored = vectors.map((v, j) => {
      let s = 0;
      for (let d = 0; d < ds.dim; d++) s += query[d] * v[d];
      return { id: ids[j], d: 1 - s / (qn * norms[j]) };
    });
    scored.sort((a, b) => a.d - b.d || a.id - b.id);
    out.push(scored.slice(0, 10).map((s) => s.id));
  }
  return out;
}
