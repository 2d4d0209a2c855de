// Incremental builds: random batches of adds, overwrites and deletes, with a
// build and a full invariant check after each, against a model of what the
// index should hold.
import { describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { bruteForce, random } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

const DIM = 8;

function vector(next: () => number): Float32Array {
  return Float32Array.from({ length: DIM }, () => next() * 2 - 1);
}

describe('incremental builds', () => {
  it('stay exact and consistent through thousands of random batches', async () => {
    const next = random(1234);
    const index = Index.open(tempIndexPath(), { dimensions: DIM, distance: 'euclidean' });
    const model = new Map<number, Float32Array>();
    const idPool = [0, 4294967295, ...Array.from({ length: 600 }, (_, i) => 1 + ((i * 7368787) % 4294967293))];
    let incremental = 0;
    let [approxHits, approxTotal] = [0, 0];
    const STEPS = 2000;
    for (let step = 0; step < STEPS; step++) {
      // Mostly small batches, sometimes a big one; sometimes wipe almost everything.
      const size = step % 50 === 49 ? 400 : 1 + Math.floor(next() * 30);
      for (let i = 0; i < size; i++) {
        const id = idPool[Math.floor(next() * idPool.length)];
        const r = next();
        if (r < 0.55 || (step % 97 === 96 && r < 0.2)) {
          const v = vector(next);
          index.add(id, v);
          model.set(id, v);
        } else {
          index.delete(id);
          model.delete(id);
        }
      }
      // Now and then down to a single item, or to nothing at all.
      if (step % 97 === 96) for (const id of [...model.keys()].slice(step % 2)) (index.delete(id), model.delete(id));
      const result = await index.build({ bucketCapacity: 8, trees: 3, seed: 5 });
      if (result.incremental) incremental++;
      index.check();
      expect(index.size).toBe(model.size);
      // An exhaustive search must find exactly the model's nearest items.
      const query = vector(next);
      const items = [...model.entries()];
      const truth = bruteForce('euclidean', items, query, 5).map((n) => n.id);
      expect(index.search(query, { k: 5, searchK: 100000 }).map((n) => n.id)).toEqual(truth);
      // And the approximate search keeps working as the trees change.
      const approx = new Set(index.search(query, { k: 5, searchK: 40 }).map((n) => n.id));
      approxHits += truth.filter((id) => approx.has(id)).length;
      approxTotal += truth.length;
      const probe = idPool[step % idPool.length];
      expect(index.get(probe)).toEqual(model.get(probe));
    }
    expect(incremental).toBeGreaterThan(STEPS * 0.9);
    const recall = approxHits / approxTotal;
    console.log(`recall@5 at searchK 40 over ${STEPS} incremental steps: ${recall.toFixed(3)}`);
    expect(recall).toBeGreaterThan(0.8);
    const stats = index.stats();
    expect(stats.trees).toHaveLength(3);
    for (const tree of stats.trees) expect(tree.largestBucket).toBeLessThanOrEqual(8);
    index.close();
  });

  it('keep recall close to a fresh build over the same items', async () => {
    const next = random(99);
    const D = 24;
    const make = () => Float32Array.from({ length: D }, () => next() * 2 - 1);
    const base = Array.from({ length: 6000 }, make);
    const updated = Index.open(tempIndexPath(), { dimensions: D, distance: 'cosine' });
    base.forEach((v, i) => updated.add(i, v));
    await updated.build({ seed: 1, trees: 8 });
    // 10% new, 10% deleted, 10% overwritten.
    const model = new Map(base.map((v, i) => [i, v] as [number, Float32Array]));
    for (let i = 0; i < 600; i++) {
      const added = make();
      updated.add(10000 + i, added);
      model.set(10000 + i, added);
      updated.delete(i);
      model.delete(i);
      const changed = make();
      updated.add(3000 + i, changed);
      model.set(3000 + i, changed);
    }
    expect((await updated.build({ seed: 1, trees: 8 })).incremental).toBe(true);
    updated.check();
    const fresh = Index.open(tempIndexPath(), { dimensions: D, distance: 'cosine' });
    for (const [id, v] of model) fresh.add(id, v);
    await fresh.build({ seed: 1, trees: 8 });

    const items = [...model.entries()];
    let [hitsUpdated, hitsFresh] = [0, 0];
    const queries = Array.from({ length: 100 }, make);
    for (const q of queries) {
      const truth = new Set(bruteForce('cosine', items, q, 10).map((n) => n.id));
      hitsUpdated += updated.search(q, { k: 10, searchK: 400 }).filter((n) => truth.has(n.id)).length;
      hitsFresh += fresh.search(q, { k: 10, searchK: 400 }).filter((n) => truth.has(n.id)).length;
    }
    const [recallUpdated, recallFresh] = [hitsUpdated / 1000, hitsFresh / 1000];
    console.log(`recall@10 at searchK 400: updated ${recallUpdated}, fresh ${recallFresh}`);
    expect(recallUpdated).toBeGreaterThan(recallFresh - 0.03);
    updated.close();
    fresh.close();
  });

  it('find and move items that no plane separates (duplicates and random splits)', async () => {
    // Identical vectors defeat two-means, so their trees split at random and
    // an item's path cannot be found from its vector: removals fall back to
    // a depth-first search. Small batches route through the transaction,
    // big ones through the node directory; both are exercised.
    const next = random(77);
    const distinct = [vector(next), vector(next), new Float32Array(DIM)];
    const index = Index.open(tempIndexPath(), { dimensions: DIM, distance: 'euclidean' });
    const model = new Map<number, Float32Array>();
    for (let id = 0; id < 400; id++) {
      const v = distinct[id % distinct.length];
      index.add(id, v);
      model.set(id, v);
    }
    await index.build({ bucketCapacity: 8, trees: 3, seed: 9 });
    for (let step = 0; step < 60; step++) {
      const size = step % 3 === 0 ? 60 : 1 + (step % 4);
      for (let i = 0; i < size; i++) {
        const id = Math.floor(next() * 500);
        if (next() < 0.5) {
          const v = distinct[Math.floor(next() * distinct.length)];
          index.add(id, v);
          model.set(id, v);
        } else {
          index.delete(id);
          model.delete(id);
        }
      }
      expect((await index.build()).incremental).toBe(true);
      index.check();
      expect(index.size).toBe(model.size);
      // Every item is still reachable: an exhaustive search returns them all.
      const all = index.search(distinct[0], { k: model.size + 1, searchK: 1e6 }).map((n) => n.id);
      expect(all.sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
    }
    index.close();
  });

  it('leave items stored again unchanged where they are', async () => {
    // Re-indexing documents that did not change must not move them: every
    // item stored again with the same vector keeps its place in every tree,
    // even where a whole bucket would otherwise empty and collapse.
    const next = random(31);
    const index = Index.open(tempIndexPath(), { dimensions: DIM, distance: 'euclidean' });
    const vectors = Array.from({ length: 600 }, () => vector(next));
    vectors.forEach((v, id) => index.add(id, v));
    await index.build({ bucketCapacity: 8, trees: 3, seed: 3 });
    const before = index.stats();
    vectors.forEach((v, id) => index.add(id, Float32Array.from(v)));
    expect((await index.build({ trees: 3 })).incremental).toBe(true);
    index.check();
    expect(index.stats()).toEqual(before);
    // A changed vector still moves.
    index.add(5, vector(next));
    await index.build({ trees: 3 });
    index.check();
    expect(index.get(5)).not.toEqual(vectors[5]);
    index.close();
  });
});
