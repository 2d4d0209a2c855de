// Filtered search on real data: recall on GloVe 200k against brute force over
// the allowed ids, with the cost model choosing the strategy.
import { describe, expect, it } from 'vitest';
import { Filter, Index } from '../src/index';
import { contiguousSubset, filteredTruth, loadDataset, randomSubset, recallAgainst } from './helpers/datasets.mjs';
import { tempIndexPath } from './helpers/tmp';

describe('filtered search on GloVe 200k (auto strategy, default searchK)', () => {
  const ds = loadDataset('glove-100-angular');
  const queries = 200;
  let index: Index;

  it('reaches recall@10 >= 0.99 at 1% and >= 0.95 at 10% of the ids', async () => {
    index = Index.open(tempIndexPath('glove'), { dimensions: ds.dim, distance: 'cosine' });
    for (let i = 0; i < ds.baseCount; i++) index.add(i, ds.row('base', i));
    await index.build({ seed: 42 });
    const sub = { ...ds, queryCount: queries };
    const cases: Array<[string, Uint32Array, number]> = [
      ['1% random', randomSubset(ds, 0.01, 1), 0.99],
      ['10% random', randomSubset(ds, 0.1, 2), 0.95],
      ['1% contiguous', contiguousSubset(ds, 0.01, 100000), 0.99],
      ['10% contiguous', contiguousSubset(ds, 0.1, 100000), 0.95],
    ];
    for (const [label, ids, target] of cases) {
      const truth = filteredTruth(sub, ids, 10);
      const filter = new Filter(ids);
      const allowed = new Set(ids);
      const results: number[][] = [];
      const strategies = new Set<string>();
      for (let q = 0; q < queries; q++) {
        const r = index.searchDetailed(ds.row('queries', q), { k: 10, filter });
        strategies.add(r.strategy);
        const found = r.neighbors.map((n) => n.id);
        for (const id of found) expect(allowed.has(id)).toBe(true);
        results.push(found);
      }
      const recall = recallAgainst(results, truth);
      console.log(`GloVe ${label}: recall@10 ${recall.toFixed(4)} via ${[...strategies].join('+')}`);
      expect(recall).toBeGreaterThanOrEqual(target);
    }
    index.close();
  });
});
