// What a build commits survives close, reopen and other processes, and a
// build is a pure function of its inputs and seed.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { randomVectors } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

const DIM = 16;
const vectors = randomVectors(3000, DIM, 21);
const queries = randomVectors(20, DIM, 22);

async function buildAt(file: string, options: { seed?: number; threads?: number } = {}) {
  const index = Index.open(file, { dimensions: DIM, distance: 'euclidean' });
  vectors.forEach((v, i) => index.add(i, v));
  await index.build({ trees: 8, seed: options.seed ?? 1, threads: options.threads });
  return index;
}

describe('persistence', () => {
  it('survives close and reopen', async () => {
    const file = tempIndexPath();
    const index = await buildAt(file);
    const before = queries.map((q) => index.search(q, { k: 5 }));
    index.close();
    const reopened = Index.open(file);
    expect(reopened.size).toBe(vectors.length);
    expect(reopened.trees).toBe(8);
    expect(queries.map((q) => reopened.search(q, { k: 5 }))).toEqual(before);
    expect(reopened.get(17)).toEqual(vectors[17]);
    reopened.close();
  });

  it('is read by another process, while this one keeps it open', async () => {
    const file = tempIndexPath();
    const index = await buildAt(file);
    const child = path.join(__dirname, 'fixtures', 'search-child.mjs');
    const out = JSON.parse(execFileSync(process.execPath, [child, file, JSON.stringify(queries.map((q) => Array.from(q)))], { encoding: 'utf8' }));
    expect(out.size).toBe(vectors.length);
    expect(out.trees).toBe(8);
    expect([out.dimensions, out.distance]).toEqual([DIM, 'euclidean']);
    expect(out.first).toEqual(Array.from(vectors[0]));
    const mine = queries.map((q) => index.search(q, { k: 5 }));
    expect(out.results).toEqual(mine.map((hits) => hits.map((h) => ({ id: h.id, distance: h.distance }))));
    index.close();
  });

  it('shares one environment between two Index objects of one file in one process', async () => {
    const file = tempIndexPath();
    const writer = await buildAt(file);
    const reader = Index.open(file);
    expect(reader.size).toBe(vectors.length);
    writer.add(5000, vectors[0]);
    await writer.build({ trees: 8, seed: 1 });
    expect(reader.size).toBe(vectors.length + 1); // sees the new commit
    writer.close();
    expect(reader.search(vectors[0], { k: 2, searchK: 10000 }).map((n) => n.id).sort()).toEqual([0, 5000]);
    reader.close();
  });
});

describe('determinism', () => {
  it('gives the same forest for the same seed, whatever the thread count', async () => {
    const a = await buildAt(tempIndexPath(), { seed: 9, threads: 1 });
    const b = await buildAt(tempIndexPath(), { seed: 9, threads: 4 });
    for (const q of queries) {
      // A small searchK makes the result depend on the exact trees.
      expect(b.search(q, { k: 10, searchK: 40 })).toEqual(a.search(q, { k: 10, searchK: 40 }));
    }
    // So does an incremental build: trees are edited on all cores, and new
    // nodes must still get the same ids.
    const extra = randomVectors(900, DIM, 23);
    for (const [index, threads] of [[a, 1], [b, 4]] as const) {
      extra.slice(0, 600).forEach((v, i) => index.add(10000 + i, v));
      for (let i = 0; i < 300; i++) index.delete(i * 7);
      extra.slice(600).forEach((v, i) => index.add(i * 7 + 1, v));
      expect((await index.build({ threads })).incremental).toBe(true);
    }
    expect(b.stats()).toEqual(a.stats());
    for (const q of queries) expect(b.search(q, { k: 10, searchK: 40 })).toEqual(a.search(q, { k: 10, searchK: 40 }));
    const c = await buildAt(tempIndexPath(), { seed: 10 });
    const differs = queries.some((q) => JSON.stringify(c.search(q, { k: 10, searchK: 40 })) !== JSON.stringify(a.search(q, { k: 10, searchK: 40 })));
    expect(differs).toBe(true);
    [a, b, c].forEach((i) => i.close());
  });
});
