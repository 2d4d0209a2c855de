// The neighbour graph on real data: recall at the recall asked for, filters
// on the graph, and incremental builds that keep recall within 0.01 of a
// fresh build, against exact ground truth computed here by brute force over
// a GloVe subset. (Left out of test:asan with the other *-glove tests: the
// same native paths run under the sanitizers in graph.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { filteredTruth, loadDataset, randomSubset, recallAgainst, type Dataset } from './helpers/datasets.mjs';
import { random } from './helpers/random.mjs';
import { tempIndexPath } from './helpers/tmp';

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
