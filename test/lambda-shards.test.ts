// examples/lambda-shards: 20,000 GloVe words split by k-means into 4 shard
// snapshots, each served by its own process, queried through the router,
// which routes by the split's manifest. Exact searches through the fan-out to
// every shard must equal the unsplit index's exact search; default searches
// must reach recall@10 >= 0.95 against a float64 brute force; a probe of 2
// asks only the 2 shards routeQuery names and merges exactly their answers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM example code
import { shardPaths, startDeployment, startShards } from '../examples/lambda-shards/invoke.mjs';
import { Index, mergeNeighbors, readShardManifest, routeQuery, splitIndex, type Neighbor } from '../src/index';
import { bruteForce } from './helpers/brute';
import { loadDataset } from './helpers/datasets.mjs';
import { tempDir, tempIndexPath } from './helpers/tmp';

const ITEMS = 20_000;
const SHARDS = 4;
const QUERIES = 100;

interface Answer {
  neighbors: Neighbor[];
  shards: number[];
  shardMs: number[];
  error?: string;
  code?: string;
}
interface Deployment {
  router: (event: object) => Promise<Answer>;
  pids: number[];
  stop: () => void;
}

const ds = loadDataset('glove-100-angular');
let source: Index;
let dir: string;
let deployment: Deployment;

beforeAll(async () => {
  source = Index.open(tempIndexPath('glove-shards'), { dimensions: ds.dim, distance: ds.distance });
  for (let i = 0; i < ITEMS; i++) source.add(i, ds.row('base', i));
  await source.build({ seed: 42 });
  dir = tempDir('lambda-shards');
  const split = await splitIndex(source, dir, { shards: SHARDS, by: 'kmeans', build: { seed: 42 } });
  expect(split.shards.map((s) => s.path)).toEqual(shardPaths(dir));
  deployment = (await startDeployment(dir)) as Deployment;
}, 600_000);

afterAll(() => {
  deployment?.stop();
  source?.close();
});

const query = (q: number) => Array.from(ds.row('queries', q));

describe('lambda-shards: 20,000 GloVe words in 4 k-means shard processes', () => {
  it('runs each shard in its own process', () => {
    expect(new Set([...deployment.pids, process.pid]).size).toBe(SHARDS + 1);
  });

  it('answers exact searches exactly as the unsplit index does', async () => {
    for (let q = 0; q < QUERIES; q++) {
      const answer = await deployment.router({ vector: query(q), k: 10, strategy: 'exact' });
      expect(answer.error).toBeUndefined();
      expect(answer.shardMs).toHaveLength(SHARDS);
      expect([...answer.shards].sort()).toEqual([0, 1, 2, 3]);
      expect(answer.neighbors).toEqual(source.search(ds.row('queries', q), { k: 10, strategy: 'exact' }));
    }
  });

  it('reaches recall@10 >= 0.95 with each shard searching by default', async () => {
    const items: Array<[number, Float32Array]> = Array.from({ length: ITEMS }, (_, i) => [i, ds.row('base', i)]);
    let hits = 0;
    for (let q = 0; q < QUERIES; q++) {
      const truth = new Set(bruteForce('cosine', items, ds.row('queries', q), 10).map((n) => n.id));
      const answer = await deployment.router({ vector: query(q), k: 10 });
      expect(answer.neighbors).toHaveLength(10);
      for (const hit of answer.neighbors) if (truth.has(hit.id)) hits++;
    }
    const recall = hits / (QUERIES * 10);
    console.log(`lambda-shards: recall@10 = ${recall.toFixed(3)} through ${SHARDS} shards`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it('asks only the probed shards, nearest first, and merges exactly their answers', async () => {
    const manifest = readShardManifest(dir);
    const shards = shardPaths(dir).map((file: string) => Index.open(file, { readOnly: true }));
    for (let q = 0; q < 20; q++) {
      const answer = await deployment.router({ vector: query(q), k: 10, strategy: 'exact', probe: 2 });
      const routed = routeQuery(manifest, ds.row('queries', q), { probe: 2 });
      expect(answer.shards).toEqual(routed);
      expect(answer.shardMs).toHaveLength(2);
      const expected = mergeNeighbors(routed.map((i) => shards[i].search(ds.row('queries', q), { k: 10, strategy: 'exact' })), 10);
      expect(answer.neighbors).toEqual(expected);
    }
    for (const shard of shards) shard.close();
    expect((await deployment.router({ vector: query(0), probe: 9 })).code).toBe('ERR_ARROY_INVALID_ARGUMENT');
  });

  it('fails the whole query when a shard fails, and a shard refuses a damaged snapshot', async () => {
    const wrong = await deployment.router({ vector: [1, 2, 3], k: 10 });
    expect(wrong.code).toBe('ERR_ARROY_DIMENSION_MISMATCH');
    expect((await deployment.router({ vector: query(0), k: 0 })).code).toBe('ERR_ARROY_INVALID_ARGUMENT');
    const damaged = path.join(tempDir('lambda-shards-damaged'), 'shard-0.arroy');
    const bytes = fs.readFileSync(path.join(dir, 'shard-0.arroy'));
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(damaged, bytes);
    await expect(startShards([damaged])).rejects.toThrow(/ERR_ARROY_CORRUPT/);
  });
});
