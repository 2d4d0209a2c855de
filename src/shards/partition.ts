/**
 * The k-means split's planning pass over the source index: picks held-out
 * queries and a training sample, trains the centroids, scores every item
 * against them, assigns items to shards under a size cap, and measures how
 * recall grows with the shards probed (the manifest's `recall` curve).
 */
import type { Index, ItemKey } from '../arroy-index';
import { assignBalanced, Centroids, seeded, Space, trainCentroids } from './kmeans';
import type { ProbeRecall } from './manifest';

export interface PartitionOptions {
  shards: number;
  sample: number;
  iterations: number;
  balance: number;
  recallQueries: number;
  recallK: number;
  seed: number;
}

export interface Partition {
  keys: ItemKey[];
  /** assignment[i]: the shard of keys[i]. */
  assignment: Int32Array;
  centroids: Float32Array;
  recall: ProbeRecall | null;
  /** Planning time: sampling, training, scoring and the recall curve. */
  durationMs: number;
}

/** `count` distinct indices from [0, n), in a random order (a partial Fisher-Yates shuffle of `pool`). */
function draw(pool: number[], count: number, random: () => number): number[] {
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.splice(0, count);
}

export function partitionByKmeans(source: Index, options: PartitionOptions): Partition {
  const started = performance.now();
  const { shards: k } = options;
  const { distance, dimensions: d } = source;
  const random = seeded(options.seed);
  const keys: ItemKey[] = Array.from<ItemKey>((source.keys === 'string' ? source.keyNames() : source.ids()) as Iterable<ItemKey>);
  const n = keys.length;
  const read = (i: number) => source.get(keys[i] as never);

  // Queries are held out of the training sample, so the curve is measured on points the centroids did not see.
  const pool = Array.from({ length: n }, (_, i) => i);
  const queryCount = n > 1 ? Math.min(options.recallQueries, Math.floor(n / 2)) : 0;
  const queryItems = draw(pool, queryCount, random);
  const sampleItems = draw(pool, Math.min(options.sample, pool.length), random);
  if (sampleItems.length < k) sampleItems.push(...queryItems.slice(0, k - sampleItems.length));

  const raw = sampleItems.map(read).filter((v): v is Float32Array => v !== undefined);
  let maxNorm = 0;
  for (const v of raw) maxNorm = Math.max(maxNorm, Math.hypot(...v));
  const space = new Space(distance, d, maxNorm);
  const points = new Float64Array(raw.length * space.dims);
  raw.forEach((v, i) => space.lift(v, points.subarray(i * space.dims, (i + 1) * space.dims)));
  // Fewer distinct points than shards leaves some shards empty; k-means++ then repeats a point, which is harmless.
  const centroids = raw.length === 0 ? new Centroids(new Float64Array(k * space.dims), space.dims) : trainCentroids(points, space.dims, k, { iterations: options.iterations, normalize: distance === 'cosine', random });

  const queries = queryItems.map(read).map((v) => v ?? new Float32Array(d));
  const scores = new Float32Array(n * k);
  const lifted = new Float64Array(space.dims);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (v === undefined) {
      scores.fill(Infinity, i * k, (i + 1) * k);
      continue;
    }
    centroids.scores(space.lift(v, lifted), row);
    scores.set(row, i * k);
  }
  const capacity = Math.max(1, Math.ceil((options.balance * n) / k));
  const assignment = assignBalanced(scores, k, capacity);

  let recall: ProbeRecall | null = null;
  if (queries.length > 0) {
    // The true neighbours, by the index's own exact search (native, SIMD), less the query's own item.
    const position = new Map<ItemKey, number>(keys.map((key, i) => [key, i]));
    const truth = queries.map((query, q) =>
      source
        .search(query, { k: options.recallK + 1, strategy: 'exact' })
        .map((hit) => position.get(hit.key ?? hit.id) as number)
        .filter((i) => i !== queryItems[q] && i !== undefined)
        .slice(0, options.recallK),
    );
    const found = new Float64Array(k);
    let total = 0;
    for (let q = 0; q < queries.length; q++) {
      const rank = new Int32Array(k);
      centroids.ranked(space.lift(queries[q], lifted, true)).forEach((shard, r) => (rank[shard] = r));
      for (const item of truth[q]) found[rank[assignment[item]]]++;
      total += truth[q].length;
    }
    let sum = 0;
    const byProbe = Array.from(found, (f) => (sum += f) / Math.max(1, total));
    byProbe[k - 1] = 1; // every item is in some shard: all shards hold every neighbour (exactly, whatever rounding said)
    recall = { k: options.recallK, queries: queries.length, byProbe };
  }
  return { keys, assignment, centroids: Float32Array.from(centroids.data), recall, durationMs: performance.now() - started };
}
