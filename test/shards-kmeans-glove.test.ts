// The k-means split on real data: 20,000 GloVe words in 8 shards. Every item
// lands in exactly one shard; probing all shards merges to the unsplit
// index's exact answer; probing fewer reaches, against a float64 brute force,
// the recall the manifest's curve promises (within a tolerance).
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Index, readShardManifest, ShardSet, splitIndex, type ShardManifest, type SplitResult } from '../src/index';
import { loadDataset } from './helpers/datasets.mjs';
import { tempDir, tempIndexPath } from './helpers/tmp';

const ITEMS = 20_000;
const SHARDS = 8;
const QUERIES = 200;
const K = 10;
// The curve is measured on 200 held-out words; GloVe's queries are other words, so allow sampling noise.
const CURVE_TOLERANCE = 0.05;

const ds = loadDataset('glove-100-angular');

/** The K nearest of the first ITEMS words by cosine, in float64 (a plain loop: bruteForce's sort of 20,000 per query is too slow here). */
function cosineTruth(query: Float32Array, norms: Float64Array): Set<number> {
  const best: Array<[number, number]> = [];
  for (let i = 0; i < ITEMS; i++) {
    const v = ds.row('base', i);
    let dot = 0;
    let qq = 0;
    for (let j = 0; j < ds.dim; j++) {
      dot += query[j] * v[j];
      qq += query[j] * query[j];
    }
    const distance = 1 - dot / Math.sqrt(qq * norms[i]);
    if (best.length === K && distance >= best[K - 1][0]) continue;
    best.push([distance, i]);
    best.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    if (best.length > K) best.pop();
  }
  return new Set(best.map(([, i]) => i));
}
let source: Index;
let split: SplitResult;
let manifest: ShardManifest;
let set: ShardSet;

beforeAll(async () => {
  source = Index.open(tempIndexPath('kmeans-glove'), { dimensions: ds.dim, distance: ds.distance });
  for (let i = 0; i < ITEMS; i++) source.add(i, ds.row('base', i));
  await source.build({ seed: 42, graph: false, trees: 1 });
  split = await splitIndex(source, tempDir('kmeans-glove'), { shards: SHARDS, by: 'kmeans', build: { seed: 42, graph: false, trees: 2 } });
  manifest = readShardManifest(split.manifest);
  set = ShardSet.open(split.manifest);
}, 300_000);

afterAll(() => {
  set?.close();
  source?.close();
});

describe('k-means split of 20,000 GloVe words into 8 shards', () => {
  it('puts every item, with its vector, in exactly one shard, within the size cap', () => {
    const seen = new Map<number, number>();
    for (const [s, index] of set.indexes.entries()) {
      for (const id of index.ids()) {
        if (seen.has(id)) throw new Error(`item ${id} is in shards ${seen.get(id)} and ${s}`);
        seen.set(id, s);
        const [mine, theirs] = [index.get(id) as Float32Array, source.get(id) as Float32Array];
        if (mine.length !== theirs.length || mine.some((x, j) => x !== theirs[j])) throw new Error(`item ${id}'s vector differs in shard ${s}`);
      }
    }
    expect(seen.size).toBe(ITEMS);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([...source.ids()]);
    const sizes = split.shards.map((s) => s.count);
    console.log(`k-means shard sizes: ${sizes.join(', ')}; recall by probe: ${manifest.recall?.byProbe.map((r) => r.toFixed(3)).join(' ')}`);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.ceil((1.5 * ITEMS) / SHARDS));
    expect(manifest.shards.map((s) => s.count)).toEqual(sizes);
    expect(manifest.shards.map((s) => s.bytes)).toEqual(split.shards.map((s) => fs.statSync(s.path).size));
    expect([manifest.by, manifest.distance, manifest.dimensions, manifest.centroids?.length]).toEqual(['kmeans', 'cosine', 100, SHARDS * 100]);
  });

  it('merges, probing every shard, to the unsplit index exact search', async () => {
    for (let q = 0; q < 50; q++) {
      const query = ds.row('queries', q);
      const merged = await set.search(query, { k: K, strategy: 'exact' });
      expect(merged.shards.slice().sort((a, b) => a - b)).toEqual([...Array(SHARDS).keys()]);
      expect(merged.shards).toHaveLength(SHARDS);
      expect(merged.neighbors).toEqual(source.search(query, { k: K, strategy: 'exact' }));
    }
  });

  // Measured (seed 42): 0.648 0.846 0.934 0.972 0.988 0.996 1 1 for probe 1..8, against the curve's
  // 0.680 0.869 0.934 0.976 0.991 0.997 1 1. GloVe's words cluster weakly: a quarter of the
  // shards (2) reaches 0.85, not 0.9; three eighths (3) reach 0.93.
  it('reaches the curve recall when probing fewer shards, and 0.9 at three of eight', async () => {
    const norms = Float64Array.from({ length: ITEMS }, (_, i) => ds.row('base', i).reduce((sum, x) => sum + x * x, 0));
    const truth = Array.from({ length: QUERIES }, (_, q) => cosineTruth(ds.row('queries', q), norms));
    const measured: number[] = [];
    for (let probe = 1; probe <= SHARDS; probe++) {
      let hits = 0;
      for (let q = 0; q < QUERIES; q++) {
        const answer = await set.search(ds.row('queries', q), { k: K, strategy: 'exact', probe });
        expect(answer.shards).toHaveLength(probe);
        for (const hit of answer.neighbors) if (truth[q].has(hit.id)) hits++;
      }
      measured.push(hits / (QUERIES * K));
    }
    const curve = manifest.recall?.byProbe as number[];
    console.log(`k-means recall@10 by probe (GloVe queries, exact per shard): ${measured.map((r) => r.toFixed(3)).join(' ')}`);
    for (let p = 0; p < SHARDS; p++) expect(measured[p]).toBeGreaterThanOrEqual(curve[p] - CURVE_TOLERANCE);
    expect(measured[2]).toBeGreaterThanOrEqual(0.9);
    expect(measured[1]).toBeGreaterThanOrEqual(0.8);
    expect(measured[SHARDS - 1]).toBe(1);
    // Asking for a recall picks the fewest shards whose curve reaches it.
    const wanted = curve[2];
    const routed = await set.search(ds.row('queries', 0), { k: K, probeRecall: wanted });
    expect(routed.shards).toHaveLength(curve.findIndex((r) => r >= wanted) + 1);
  });
});
