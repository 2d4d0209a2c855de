// Recall@10 against the exact ground truth shipped in ../shared/datasets.
// The searchK values here are the ones docs/PERFORMANCE.md documents for recall >= 0.90.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { loadDataset, recallAtK, type Dataset } from './helpers/datasets.mjs';
import { tempIndexPath } from './helpers/tmp';

const CASES = [
  { name: 'glove-100-angular', searchK: 10000 },
  { name: 'fashion-mnist-784-euclidean', searchK: 1000 },
] as const;

describe.each(CASES)('$name', ({ name, searchK }) => {
  let ds: Dataset;
  let index: Index;

  beforeAll(async () => {
    ds = loadDataset(name);
    index = Index.open(tempIndexPath(name), { dimensions: ds.dim, distance: ds.distance });
    for (let i = 0; i < ds.baseCount; i++) index.add(i, ds.row('base', i));
    await index.build({ seed: 42 });
  });
  afterAll(() => index?.close());

  it(`reaches recall@10 >= 0.90 at searchK = ${searchK}`, () => {
    expect(index.size).toBe(ds.baseCount);
    const results: number[][] = [];
    for (let q = 0; q < ds.queryCount; q++) {
      results.push(index.search(ds.row('queries', q), { k: 10, searchK }).map((n) => n.id));
    }
    const recall = recallAtK(results, ds, 10);
    console.log(`${name}: recall@10 = ${recall.toFixed(4)} at searchK = ${searchK}, ${index.trees} trees`);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('returns results sorted by distance, then id', () => {
    for (let q = 0; q < 50; q++) {
      const hits = index.search(ds.row('queries', q), { k: 100, searchK });
      expect(hits).toHaveLength(100);
      for (let i = 1; i < hits.length; i++) {
        const [a, b] = [hits[i - 1], hits[i]];
        expect(a.distance < b.distance || (a.distance === b.distance && a.id < b.id)).toBe(true);
      }
    }
  });
});
