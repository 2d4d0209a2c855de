// Everything Annoy's API offers has an equivalent (Annoy's names in the test titles).
import { beforeAll, describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { bruteForce, randomVectors, referenceDistance } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

const DIM = 10;
const vectors = randomVectors(500, DIM, 8);
const ids = vectors.map((_, i) => i * 3);
let index: Index;

beforeAll(async () => {
  index = Index.open(tempIndexPath(), { dimensions: DIM, distance: 'manhattan' });
  ids.forEach((id, i) => index.add(id, vectors[i]));
  await index.build({ trees: 5, seed: 123n });
});

describe('Annoy parity', () => {
  it('get_nns_by_vector with and without distances', () => {
    const q = randomVectors(1, DIM, 1)[0];
    const hits = index.search(q, { k: 5, searchK: 1000 });
    expect(Array.from(index.searchIds(q, { k: 5, searchK: 1000 }))).toEqual(hits.map((h) => h.id));
    const items: Array<[number, Float32Array]> = ids.map((id, i) => [id, vectors[i]]);
    expect(hits.map((h) => h.id)).toEqual(bruteForce('manhattan', items, q, 5).map((n) => n.id));
  });

  it('get_nns_by_item', () => {
    expect(index.searchById(30, { k: 3, searchK: 1000 })![0].id).toBe(30);
  });

  it('get_item_vector, get_n_items, get_n_trees, has', () => {
    expect(index.get(30)).toEqual(vectors[10]);
    expect(index.size).toBe(500);
    expect(index.trees).toBe(5);
    expect(index.has(30)).toBe(true);
    expect(index.has(31)).toBe(false);
  });

  it('get_distance', () => {
    expect(index.distanceBetween(0, 3)).toBeCloseTo(referenceDistance('manhattan', vectors[0], vectors[1]), 4);
    expect(index.distanceBetween(0, 0)).toBe(0);
    expect(index.distanceBetween(0, 1)).toBeUndefined();
  });

  it('set_seed: the seed is kept with the forest', () => {
    expect(index.seed).toBe(123n);
  });

  it('iterates over ids in ascending order', () => {
    expect([...index.ids()]).toEqual(ids);
  });

  it('iterates over large id sets in batches', async () => {
    const big = Index.open(tempIndexPath(), { dimensions: 2, distance: 'euclidean' });
    const expected: number[] = [];
    for (let i = 0; i < 10000; i++) {
      const id = 4294967295 - i * 7;
      big.add(id, [i, 1]);
      expected.push(id);
    }
    await big.build({ trees: 1 });
    expect([...big.ids()]).toEqual(expected.sort((a, b) => a - b));
    big.close();
  });

  it('stats: per-tree depth and bucket counts', () => {
    const stats = index.stats();
    expect(stats.items).toBe(500);
    expect(stats.trees).toHaveLength(5);
    for (const tree of stats.trees) {
      expect(tree.depth).toBeGreaterThan(1);
      expect(tree.buckets).toBe(tree.splits + 1);
      expect(tree.nodes).toBe(tree.buckets + tree.splits);
    }
    expect(stats.seed).toBe(123n);
  });
});
