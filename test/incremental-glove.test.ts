// Incremental builds of the forest on real data: after adding, deleting and
// overwriting 1% of GloVe, recall at a fixed searchK matches a fresh build
// over the same items. (Forest-only indexes, graph: false; the graph's
// incremental builds are tested in graph.test.ts.)
import { describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { loadDataset, recallAtK } from './helpers/datasets.mjs';
import { tempIndexPath } from './helpers/tmp';

describe('incremental builds on GloVe', () => {
  it('keep recall@10 within 0.015 of a fresh build, and every invariant', async () => {
    const ds = loadDataset('glove-100-angular');
    const batch = ds.baseCount / 100;
    const held = ds.baseCount - batch;
    const index = Index.open(tempIndexPath('glove-inc'), { dimensions: ds.dim, distance: ds.distance });
    for (let i = 0; i < held; i++) index.add(i, ds.row('base', i));
    const full = await index.build({ seed: 7, graph: false });
    for (let i = held; i < ds.baseCount; i++) index.add(i, ds.row('base', i));
    for (let i = 0; i < batch; i++) index.delete(i * 97);
    for (let i = 0; i < batch; i++) index.add(i * 97 + 1, ds.row('base', (i * 97 + 50) % ds.baseCount));
    const update = await index.build();
    expect(update.incremental).toBe(true);
    console.log(`GloVe: full build ${(full.durationMs / 1000).toFixed(1)} s, incremental build of 3 x 1% ${(update.durationMs / 1000).toFixed(2)} s`);
    index.check();
    expect(index.size).toBe(ds.baseCount - batch);

    const fresh = Index.open(tempIndexPath('glove-fresh'), { dimensions: ds.dim, distance: ds.distance });
    for (const id of index.ids()) fresh.add(id, index.get(id)!);
    await fresh.build({ seed: 7, graph: false });
    const recall = (ix: Index) => {
      const out: number[][] = [];
      for (let q = 0; q < ds.queryCount; q++) out.push(ix.search(ds.row('queries', q), { k: 10, searchK: 10000 }).map((n) => n.id));
      return recallAtK(out, ds, 10);
    };
    const [updated, rebuilt] = [recall(index), recall(fresh)];
    console.log(`GloVe recall@10 at searchK 10000: incremental ${updated.toFixed(4)}, fresh ${rebuilt.toFixed(4)}`);
    expect(Math.abs(updated - rebuilt)).toBeLessThan(0.015);
    index.close();
    fresh.close();
  });
});
