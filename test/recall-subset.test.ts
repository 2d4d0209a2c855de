// Recall@10 on real data, sized for emulators: the first 20,000 GloVe words
// and 100 queries against a float64 brute force over the same subset. The
// full-size recall tests (recall.test.ts) take tens of minutes under qemu;
// this one is what npm run test:prebuilds runs on arm64 (NEON kernels), and it
// runs natively in the suite too.
import { describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { bruteForce } from './helpers/brute';
import { loadDataset } from './helpers/datasets.mjs';
import { tempIndexPath } from './helpers/tmp';

const ITEMS = 20_000;
const QUERIES = 100;
const SEARCH_K = 3000;

describe('GloVe subset (20,000 x 100, cosine)', () => {
  it(`reaches recall@10 >= 0.95 by default, and >= 0.90 through the forest at searchK = ${SEARCH_K}`, async () => {
    const ds = loadDataset('glove-100-angular');
    const items: Array<[number, Float32Array]> = [];
    const index = Index.open(tempIndexPath('glove-subset'), { dimensions: ds.dim, distance: ds.distance });
    for (let i = 0; i < ITEMS; i++) {
      items.push([i, ds.row('base', i)]);
      index.add(i, ds.row('base', i));
    }
    await index.build({ seed: 42 });
    const forest = Index.open(tempIndexPath('glove-subset-forest'), { dimensions: ds.dim, distance: ds.distance });
    for (const [id, v] of items) forest.add(id, v);
    await forest.build({ seed: 42, graph: false });
    let [hits, forestHits] = [0, 0];
    for (let q = 0; q < QUERIES; q++) {
      const query = ds.row('queries', q);
      const truth = new Set(bruteForce('cosine', items, query, 10).map((n) => n.id));
      for (const hit of index.search(query, { k: 10 })) if (truth.has(hit.id)) hits++;
      for (const hit of forest.search(query, { k: 10, searchK: SEARCH_K })) if (truth.has(hit.id)) forestHits++;
    }
    const [recall, forestRecall] = [hits / (QUERIES * 10), forestHits / (QUERIES * 10)];
    console.log(`GloVe subset: recall@10 = ${recall.toFixed(3)} by default (graph), ${forestRecall.toFixed(3)} at searchK = ${SEARCH_K}, ${forest.trees} trees`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(forestRecall).toBeGreaterThanOrEqual(0.9);
    forest.close();
    index.close();
  });
});
