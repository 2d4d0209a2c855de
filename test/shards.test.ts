// shardOf, mergeNeighbors and splitIndex (src/shards.ts), and the CLI's
// shard command run as a real process.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArroyError, Index, mergeNeighbors, parseShardManifest, readShardManifest, routeQuery, shardOf, ShardSet, splitIndex, type Distance, type Neighbor } from '../src/index';
import { randomVectors } from './helpers/brute';
import { random } from './helpers/random.mjs';
import { tempDir, tempIndexPath } from './helpers/tmp';

const CLI = path.resolve(__dirname, '..', 'dist', 'cli.js');

/** FNV-1a 32 in BigInt arithmetic, written from the definition, as a second opinion. */
function referenceFnv(bytes: Uint8Array): number {
  let hash = 2166136261n;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 16777619n) % 2n ** 32n;
  return Number(hash);
}

const invalid = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ArroyError);
    expect((error as ArroyError).code).toBe('ERR_ARROY_INVALID_ARGUMENT');
    return (error as Error).message;
  }
  throw new Error('expected ERR_ARROY_INVALID_ARGUMENT');
};

describe('shardOf', () => {
  it('is FNV-1a of the UTF-8 bytes of a string key (published vectors) and of the u32 little-endian bytes of an id', () => {
    // FNV-1a 32-bit test vectors: "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968.
    expect(shardOf('a', 65535)).toBe(0xe40c292c % 65535);
    expect(shardOf('foobar', 65535)).toBe(0xbf9cf968 % 65535);
    expect(shardOf('', 1000)).toBe(0x811c9dc5 % 1000);
    expect(shardOf('café', 977)).toBe(referenceFnv(new TextEncoder().encode('café')) % 977);
    for (const id of [0, 1, 255, 256, 65536, 123456789, 0xffffffff]) {
      const bytes = new Uint8Array([id & 0xff, (id >>> 8) & 0xff, (id >>> 16) & 0xff, id >>> 24]);
      expect(shardOf(id, 977)).toBe(referenceFnv(bytes) % 977);
    }
    expect(shardOf(42, 1)).toBe(0);
  });

  it('spreads consecutive ids evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let id = 0; id < 20_000; id++) counts[shardOf(id, 4)]++;
    for (const count of counts) expect(Math.abs(count - 5000)).toBeLessThan(250);
  });

  it('rejects bad keys and shard counts with typed errors', () => {
    for (const key of [-1, 1.5, 2 ** 32, NaN, null, {}]) invalid(() => shardOf(key as number, 4));
    for (const count of [0, -1, 2.5, 65536, '4', undefined]) invalid(() => shardOf(1, count as number));
  });
});

function sortedList(next: () => number, length: number, ids: Set<number>): Neighbor[] {
  const list: Neighbor[] = [];
  while (list.length < length) {
    const id = Math.floor(next() * 1e6);
    if (ids.has(id)) continue;
    ids.add(id);
    // Coarse distances, so ties across lists are common.
    list.push({ id, distance: Math.floor(next() * 20) / 4 });
  }
  return list.sort((a, b) => a.distance - b.distance || a.id - b.id);
}

describe('mergeNeighbors', () => {
  it('equals the top k of all lists sorted by distance then id', () => {
    const next = random(7);
    for (let round = 0; round < 50; round++) {
      const ids = new Set<number>();
      const lists = Array.from({ length: 1 + Math.floor(next() * 6) }, () => sortedList(next, Math.floor(next() * 15), ids));
      const k = 1 + Math.floor(next() * 30);
      const expected = lists.flat().sort((a, b) => a.distance - b.distance || a.id - b.id).slice(0, k);
      expect(mergeNeighbors(lists, k)).toEqual(expected);
    }
  });

  it('breaks ties by id, then by key (string-keyed shards may share ids)', () => {
    const merged = mergeNeighbors(
      [
        [{ id: 5, distance: 1 }, { id: 1, key: 'b', distance: 2 }],
        [{ id: 2, distance: 1 }, { id: 1, key: 'a', distance: 2 }],
      ],
      10,
    );
    expect(merged.map((n) => n.key ?? n.id)).toEqual([2, 5, 'a', 'b']);
    expect(mergeNeighbors([], 3)).toEqual([]);
    expect(mergeNeighbors([[{ id: 1, distance: -Infinity }]], 3)).toEqual([{ id: 1, distance: -Infinity }]);
  });

  it('rejects bad input with typed errors', () => {
    expect(invalid(() => mergeNeighbors([[{ id: 1, distance: 2 }, { id: 2, distance: 1 }]], 2))).toMatch(/not sorted/);
    expect(invalid(() => mergeNeighbors([[{ id: 3, distance: 1 }, { id: 2, distance: 1 }]], 2))).toMatch(/not sorted/);
    invalid(() => mergeNeighbors([[{ id: 1, distance: NaN }]], 1));
    invalid(() => mergeNeighbors([[{ id: -1, distance: 0 }]], 1));
    invalid(() => mergeNeighbors([[{ id: 1, distance: 0, key: 3 as unknown as string }]], 1));
    invalid(() => mergeNeighbors([[null as unknown as Neighbor]], 1));
    invalid(() => mergeNeighbors([{} as Neighbor[]], 1));
    invalid(() => mergeNeighbors('x' as unknown as Neighbor[][], 1));
    for (const k of [0, -1, 1.5, '3']) invalid(() => mergeNeighbors([], k as number));
  });
});

describe('splitIndex', () => {
  it('puts every item, with its vector, in the shard shardOf names, as verified snapshots', async () => {
    const vectors = randomVectors(1500, 16, 3);
    const source = Index.open(tempIndexPath('split-source'), { dimensions: 16, distance: 'euclidean', name: 'items' });
    vectors.forEach((v, i) => source.add(i * 3, v, i % 2 ? { attributes: { odd: i } } : undefined)); // sparse ids keep their value
    await source.build({ seed: 1 });
    const dir = path.join(tempDir('split'), 'out');
    const result = await splitIndex(source, dir, { shards: 3, by: 'hash', build: { seed: 1 } });
    expect(fs.readdirSync(dir).sort()).toEqual(['shard-0.arroy', 'shard-1.arroy', 'shard-2.arroy', 'shards.json']);
    expect(result.shards.reduce((sum, s) => sum + s.count, 0)).toBe(1500);
    for (const [i, shard] of result.shards.entries()) {
      expect(shard.path).toBe(path.join(dir, `shard-${i}.arroy`));
      expect(shard.bytes).toBe(fs.statSync(shard.path).size);
      const index = Index.open(shard.path, { readOnly: true, verify: true, name: 'items' });
      expect([index.distance, index.dimensions, index.keys, index.size]).toEqual(['euclidean', 16, 'number', shard.count]);
      for (const id of index.ids()) {
        expect(shardOf(id, 3)).toBe(i);
        expect(index.get(id)).toEqual(vectors[id / 3]);
        expect(index.getAttributes(id)).toEqual((id / 3) % 2 ? { odd: id / 3 } : {});
      }
      index.close();
    }
    source.close();
  });

  it('keeps string keys, and rejects bad options', async () => {
    const source = Index.open(tempIndexPath('split-keys'), { dimensions: 4, distance: 'cosine', keys: 'string' });
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
    randomVectors(words.length, 4, 9).forEach((v, i) => source.add(words[i], v));
    await source.build({ seed: 2 });
    const result = await splitIndex(source, tempDir('split-keys'), { shards: 2 });
    const found: string[] = [];
    for (const [i, shard] of result.shards.entries()) {
      const index = Index.open(shard.path, { readOnly: true, verify: true, keys: 'string' });
      for (const key of index.keyNames()) {
        expect(shardOf(key, 2)).toBe(i);
        expect(index.get(key)).toEqual(source.get(key));
        found.push(key);
      }
      index.close();
    }
    expect(found.sort()).toEqual([...words].sort());
    // More shards than items: the empty shards are still valid, searchable snapshots.
    const sparse = await splitIndex(source, tempDir('split-sparse'), { shards: 16 });
    expect(sparse.shards.reduce((sum, s) => sum + s.count, 0)).toBe(words.length);
    const empty = sparse.shards.find((s) => s.count === 0) as { path: string };
    const opened = Index.open(empty.path, { readOnly: true, verify: true });
    expect([opened.size, opened.search([1, 0, 0, 0], { k: 3 })]).toEqual([0, []]);
    opened.close();
    const dir = tempDir('split-bad');
    await expect(splitIndex(source, dir, { shards: 0 })).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT' });
    await expect(splitIndex(source, dir, { shards: 2, by: 'random' as 'hash' })).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT' });
    await expect(splitIndex(source, dir, { shards: 2, shard: 1 } as never)).rejects.toThrow(/shards/);
    await expect(splitIndex(source, '', { shards: 2 })).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT' });
    await expect(splitIndex(source, dir, { shards: 2, sample: 100 })).rejects.toThrow(/k-means/);
    for (const bad of [{ balance: 0.5 }, { sample: 0 }, { iterations: 1.5 }, { recallQueries: -1 }, { seed: -1 }]) {
      await expect(splitIndex(source, dir, { shards: 2, by: 'kmeans', ...bad })).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT' });
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    source.close();
  });
});

/** Items in `clusters` tight groups around random directions, with norms from 0.5 to 2 (so dot differs from cosine). */
function clustered(count: number, dim: number, clusters: number, seed: number): Float32Array[] {
  const next = random(seed);
  const centres = randomVectors(clusters, dim, seed + 1);
  return Array.from({ length: count }, (_, i) => {
    const scale = 0.5 + 1.5 * next();
    return Float32Array.from(centres[i % clusters], (x) => scale * (x + 0.15 * (next() * 2 - 1)));
  });
}

describe('splitIndex by k-means', () => {
  for (const distance of ['euclidean', 'cosine', 'dot', 'manhattan'] as Distance[]) {
    it(`${distance}: keeps clusters together, merges exactly over all shards, and writes a manifest`, async () => {
      const drawn = clustered(1240, 12, 4, 11);
      const [vectors, queries] = [drawn.slice(0, 1200), drawn.slice(1200)];
      const source = Index.open(tempIndexPath(`kmeans-${distance}`), { dimensions: 12, distance });
      vectors.forEach((v, i) => source.add(i, v));
      await source.build({ seed: 1, graph: false, trees: 1 });
      const dir = tempDir(`kmeans-${distance}`);
      const result = await splitIndex(source, dir, { shards: 4, by: 'kmeans', build: { seed: 1, graph: false, trees: 1 } });
      expect(result.manifest).toBe(path.join(dir, 'shards.json'));
      const counts = result.shards.map((s) => s.count);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(1200);
      // Nearest centroid by raw dot would put everything in the centroid of largest norm; the lifted space does not.
      expect(Math.min(...counts)).toBeGreaterThan(0);
      expect(Math.max(...counts)).toBeLessThanOrEqual(450);
      const curve = result.recall?.byProbe as number[];
      expect(curve).toHaveLength(4);
      expect(curve[3]).toBe(1);
      // Four tight clusters in four shards: the nearest shard holds nearly all of a query's neighbours.
      expect(curve[0]).toBeGreaterThan(0.8);
      using set = ShardSet.open(dir);
      expect(set.manifest.centroidDimensions).toBe(distance === 'dot' ? 13 : 12);
      let hits = 0;
      for (const q of queries) {
        const all = await set.search(q, { k: 10, strategy: 'exact' });
        expect(all.neighbors).toEqual(source.search(q, { k: 10, strategy: 'exact' }));
        const one = await set.search(q, { k: 10, strategy: 'exact', probe: 1 });
        expect(one.shards).toEqual([set.route(q)[0]]);
        const truth = new Set(all.neighbors.map((n) => n.id));
        for (const n of one.neighbors) if (truth.has(n.id)) hits++;
      }
      expect(hits / 400).toBeGreaterThanOrEqual(curve[0] - 0.1);
      source.close();
    });
  }
});

describe('shard manifests', () => {
  async function hashSplit() {
    const source = Index.open(tempIndexPath('manifest-source'), { dimensions: 4, distance: 'euclidean' });
    randomVectors(200, 4, 21).forEach((v, i) => source.add(i, v));
    await source.build({ seed: 1 });
    const dir = tempDir('manifest');
    const result = await splitIndex(source, dir, { shards: 3, build: { seed: 1 } });
    return { source, dir, result };
  }

  it('a hash split writes one and always routes to every shard', async () => {
    const { source, dir, result } = await hashSplit();
    const manifest = readShardManifest(dir);
    expect(manifest.by).toBe('hash');
    expect(manifest.shards.map((s) => s.file)).toEqual(['shard-0.arroy', 'shard-1.arroy', 'shard-2.arroy']);
    expect(manifest.shards.map((s) => s.crc32c)).toEqual(result.shards.map((s) => s.crc32c));
    expect(routeQuery(manifest, [0, 0, 0, 0])).toEqual([0, 1, 2]);
    expect(routeQuery(manifest, [0, 0, 0, 0], { probeRecall: 0.5 })).toEqual([0, 1, 2]);
    expect(invalid(() => routeQuery(manifest, [0, 0, 0, 0], { probe: 1 }))).toMatch(/hash split/);
    using set = ShardSet.open(dir);
    const q = [0.1, 0.2, 0.3, 0.4];
    expect((await set.search(q, { k: 5, strategy: 'exact' })).neighbors).toEqual(source.search(q, { k: 5, strategy: 'exact' }));
    source.close();
  });

  it('rejects bad route arguments and bad manifests with typed errors', async () => {
    const { source, dir } = await hashSplit();
    source.close();
    const text = fs.readFileSync(path.join(dir, 'shards.json'), 'utf8');
    const json = JSON.parse(text);
    const kmeans = { ...json, by: 'kmeans', centroidDimensions: 4, centroids: Buffer.alloc(3 * 4 * 4).toString('base64'), recall: { k: 10, queries: 5, byProbe: [0.5, 0.9, 1] } };
    const manifest = parseShardManifest(JSON.stringify(kmeans), dir);
    expect(routeQuery(manifest, [1, 0, 0, 0], { probe: 2 })).toHaveLength(2);
    expect(routeQuery(manifest, [1, 0, 0, 0], { probeRecall: 0.8 })).toHaveLength(2);
    expect(routeQuery(manifest, [1, 0, 0, 0], { probeRecall: 1 })).toHaveLength(3);
    for (const options of [{ probe: 0 }, { probe: 4 }, { probe: 1.5 }, { probe: 1, probeRecall: 0.5 }, { probeRecall: 0 }, { prob: 1 }]) {
      invalid(() => routeQuery(manifest, [1, 0, 0, 0], options as never));
    }
    expect(() => routeQuery(manifest, [1, 0, 0], { probe: 1 })).toThrow(expect.objectContaining({ code: 'ERR_ARROY_DIMENSION_MISMATCH' }));
    invalid(() => routeQuery(parseShardManifest(JSON.stringify({ ...kmeans, recall: null }), dir), [1, 0, 0, 0], { probeRecall: 0.5 }));

    const corrupt = (value: unknown, pattern: RegExp) => {
      const parse = () => parseShardManifest(typeof value === 'string' ? value : JSON.stringify(value), dir);
      expect(parse).toThrow(pattern);
      try {
        parse();
      } catch (error) {
        expect((error as ArroyError).code).toBe('ERR_ARROY_CORRUPT');
      }
    };
    corrupt('{"format": ', /not JSON/);
    corrupt([], /not a JSON object/);
    corrupt({ ...json, format: 'other' }, /format/);
    corrupt({ ...json, by: 'random' }, /by must be/);
    corrupt({ ...json, distance: 'hamming' }, /distance/);
    corrupt({ ...json, dimensions: 0 }, /dimensions/);
    corrupt({ ...json, shards: [] }, /shards must be/);
    corrupt({ ...json, shards: [{ ...json.shards[0], file: '../x.arroy' }] }, /file must be/);
    corrupt({ ...json, shards: [{ ...json.shards[0], bytes: -1 }] }, /bytes/);
    corrupt({ ...json, shards: [{ ...json.shards[0], crc32c: 2 ** 32 }] }, /crc32c/);
    corrupt({ ...kmeans, centroids: undefined }, /needs centroids/);
    corrupt({ ...kmeans, centroids: Buffer.alloc(8).toString('base64') }, /centroids hold 8 bytes/);
    corrupt({ ...kmeans, centroidDimensions: 5 }, /centroidDimensions must be 4/);
    corrupt({ ...kmeans, centroids: Buffer.from(new Float32Array(12).fill(NaN).buffer).toString('base64') }, /not finite/);
    corrupt({ ...kmeans, recall: { k: 10, queries: 5, byProbe: [0.9, 0.5, 1] } }, /byProbe\[1\]/);
    corrupt({ ...kmeans, recall: { k: 10, queries: 5, byProbe: [1] } }, /one recall per shard/);
    expect(() => parseShardManifest(JSON.stringify({ ...json, version: 2 }), dir)).toThrow(expect.objectContaining({ code: 'ERR_ARROY_FORMAT_VERSION' }));
    expect(() => readShardManifest(path.join(dir, 'absent'))).toThrow(expect.objectContaining({ code: 'ERR_ARROY_NOT_AN_INDEX' }));

    // A shard file that is not the one the manifest lists (here: cut short) is refused before it is searched.
    fs.truncateSync(path.join(dir, 'shard-1.arroy'), 4096);
    expect(() => ShardSet.open(dir)).toThrow(expect.objectContaining({ code: 'ERR_ARROY_CORRUPT', message: expect.stringMatching(/shard 1 .* 4096 bytes/) }));
  });
});

describe('arroy-ts shard', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

  it('splits an index into --shards N snapshot files, with help and usage errors', async () => {
    const file = tempIndexPath('cli-shard');
    const source = Index.open(file, { dimensions: 8, distance: 'euclidean' });
    randomVectors(600, 8, 5).forEach((v, i) => source.add(i, v));
    await source.build({ seed: 3 });
    source.close();
    const dir = path.join(tempDir('cli-shard'), 'shards');
    const run = cli('shard', file, dir, '--shards', '4', '--seed', '3', '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { shards: { path: string; count: number }[] };
    expect(result.shards.map((s) => path.basename(s.path))).toEqual(['shard-0.arroy', 'shard-1.arroy', 'shard-2.arroy', 'shard-3.arroy']);
    expect(result.shards.reduce((sum, s) => sum + s.count, 0)).toBe(600);
    const text = cli('shard', file, path.join(dir, 'again'), '--shards', '2');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/wrote 2 shards/);
    const kmeans = cli('shard', file, path.join(dir, 'kmeans'), '--shards', '3', '--by', 'kmeans', '--balance', '1.2', '--json');
    expect([kmeans.status, kmeans.stderr]).toEqual([0, '']);
    const split = JSON.parse(kmeans.stdout) as { shards: { count: number }[]; recall: { byProbe: number[] }; manifest: string };
    expect(Math.max(...split.shards.map((s) => s.count))).toBeLessThanOrEqual(240);
    expect(split.recall.byProbe).toHaveLength(3);
    expect(readShardManifest(split.manifest).by).toBe('kmeans');
    const kmeansText = cli('shard', file, path.join(dir, 'kmeans-text'), '--shards', '2', '--by', 'kmeans');
    expect(kmeansText.stdout).toMatch(/recall@10 by shards probed: /);
    expect(cli('shard', file, dir, '--shards', '2', '--by', 'pca').status).toBe(2);
    expect(cli('shard', file, dir, '--shards', '2', '--balance', '1.2').status).toBe(2);

    expect(cli('shard', '--help').stdout).toMatch(/--shards N/);
    expect(cli('--help').stdout).toMatch(/shard <index> <dir>/);
    const missing = cli('shard', file, dir);
    expect([missing.status, missing.stderr]).toEqual([2, expect.stringMatching(/--shards N is required/)]);
    expect(cli('shard', file, dir, '--shards', 'four').status).toBe(2);
    expect(cli('shard', file).status).toBe(2);
    const zero = cli('shard', file, dir, '--shards', '0');
    expect([zero.status, zero.stderr]).toEqual([1, expect.stringMatching(/ERR_ARROY_INVALID_ARGUMENT/)]);
    const absent = cli('shard', `${file}.absent`, dir, '--shards', '2');
    expect([absent.status, absent.stderr]).toEqual([1, expect.stringMatching(/ERR_ARROY_NOT_AN_INDEX/)]);
  });
});
