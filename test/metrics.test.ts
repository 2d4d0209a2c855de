// Every distance against a float64 brute force on small data: an exhaustive
// search (searchK >= items) must return exactly the true neighbours with the
// documented distance values.
import { describe, expect, it } from 'vitest';
import { Index, type Distance } from '../src/index';
import { bruteForce, random, randomVectors, referenceDistance } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

const DIM = 27; // not a multiple of any SIMD width
const COUNT = 1200;

function sparseIds(count: number): number[] {
  // The extremes of the id range plus scattered ids: ids are keys, not offsets.
  const ids = [0, 4294967295, 1, 4294967294];
  for (let i = ids.length; i < count; i++) ids.push(((i * 2654435761) % 4294967291) >>> 0);
  return ids;
}

async function buildIndex(distance: Distance, vectors: Float32Array[], ids: number[]) {
  const index = Index.open(tempIndexPath(distance), { dimensions: DIM, distance });
  ids.forEach((id, i) => index.add(id, vectors[i]));
  await index.build({ trees: 6, seed: 7 });
  return index;
}

describe.each<Distance>(['euclidean', 'manhattan', 'cosine', 'dot'])('%s', (distance) => {
  it('finds exactly the brute-force neighbours with their documented distances', async () => {
    const vectors = randomVectors(COUNT, DIM, 11);
    if (distance === 'dot') {
      // Varied norms, so the largest inner product is not simply the closest angle.
      const next = random(5);
      for (const v of vectors) v.forEach((x, i) => (v[i] = x * (0.2 + 3 * next())));
    }
    const ids = sparseIds(COUNT);
    const items: Array<[number, Float32Array]> = ids.map((id, i) => [id, vectors[i]]);
    const index = await buildIndex(distance, vectors, ids);
    expect(index.size).toBe(COUNT);

    for (const query of randomVectors(25, DIM, 99)) {
      const got = index.search(query, { k: 10, searchK: COUNT * 2 });
      const want = bruteForce(distance, items, query, 10);
      expect(got.map((n) => n.id)).toEqual(want.map((n) => n.id));
      got.forEach((n, i) => expect(n.distance).toBeCloseTo(want[i].distance, 4));
    }
    index.close();
  });

  it('searches by stored item, and measures the distance it documents', async () => {
    const vectors = randomVectors(300, DIM, 3);
    const ids = vectors.map((_, i) => i * 10);
    const index = await buildIndex(distance, vectors, ids);
    const hits = index.searchById(50, { k: 5, searchK: 1000 })!;
    const items: Array<[number, Float32Array]> = ids.map((id, i) => [id, vectors[i]]);
    expect(hits.map((n) => n.id)).toEqual(bruteForce(distance, items, vectors[5], 5).map((n) => n.id));
    if (distance !== 'dot') expect(hits[0]).toEqual({ id: 50, distance: expect.closeTo(0, 5) });
    expect(hits[1].distance).toBeCloseTo(referenceDistance(distance, vectors[5], index.get(hits[1].id)!), 4);
    index.close();
  });
});

describe('distance definitions', () => {
  it('are L2 (not squared), L1, 1 - cos and -dot', async () => {
    const cases: Array<[Distance, number]> = [
      ['euclidean', 5],
      ['manhattan', 7],
      ['cosine', 1 - (3 * 0 + 4 * 4) / (5 * 4)],
      ['dot', -16],
    ];
    for (const [distance, expected] of cases) {
      const index = Index.open(tempIndexPath(), { dimensions: 2, distance });
      index.add(1, [0, 4]);
      await index.build();
      const query = distance === 'euclidean' || distance === 'manhattan' ? [3, 8] : [3, 4];
      expect(index.search(query, { k: 1 })).toEqual([{ id: 1, distance: expect.closeTo(expected, 5) }]);
      index.close();
    }
  });

  it('cosine ranges from 0 (same direction) to 2 (opposite)', async () => {
    const index = Index.open(tempIndexPath(), { dimensions: 2, distance: 'cosine' });
    index.add(1, [2, 0]);
    index.add(2, [-1, 0]);
    await index.build();
    expect(index.search([1, 0], { k: 2 })).toEqual([
      { id: 1, distance: expect.closeTo(0, 6) },
      { id: 2, distance: expect.closeTo(2, 6) },
    ]);
    index.close();
  });
});
