/**
 * The k-means partition of a sharded deployment: centroids trained on a
 * sample, in the space where the index's distance is a Euclidean one, so that
 * one rule ranks shards for every distance (see `space`):
 *
 * - euclidean: the vectors as they are (plain Lloyd); manhattan too (the
 *   mean is not L1's centre, the median is, but the partition only has to
 *   keep neighbours together, and the measured recall curve says how well it does);
 * - cosine: the vectors normalized, centroids renormalized after each update
 *   (spherical k-means); for unit vectors |x - c|^2 = 2 - 2 x.c;
 * - dot: the maximum-inner-product transform x' = [x, sqrt(M^2 - |x|^2)] with
 *   M the largest norm of the sample (clamped at 0 for larger items), and a
 *   query q' = [q, 0]: |q' - x'|^2 = |q|^2 + M^2 - 2 q.x, so the nearest in
 *   the lifted space is the largest inner product. Plain nearest-centroid
 *   by dot would send everything to the centroid of largest norm.
 *
 * In that space a shard's rank for a query q is |c|^2 - 2 q.c (|q - c|^2 less
 * the query's own norm), with c of `centroidDimensions` = dimensions (+1 for
 * dot) and q padded with zero.
 */
import type { Distance } from '../arroy-index';

/** mulberry32: a small seeded generator, so that a split is reproducible. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const centroidDimensions = (distance: Distance, dimensions: number): number => (distance === 'dot' ? dimensions + 1 : dimensions);

/** Maps index vectors into the k-means space of `distance` (see the module comment). */
export class Space {
  readonly dims: number;
  constructor(
    readonly distance: Distance,
    readonly dimensions: number,
    /** For dot: the largest norm the lift is computed against. */
    readonly maxNorm = 0,
  ) {
    this.dims = centroidDimensions(distance, dimensions);
  }

  /** `vector` in this space, written into `out` (length dims). For a query, `query` pads dot's extra coordinate with zero. */
  lift(vector: Float32Array, out: Float64Array, query = false): Float64Array {
    let norm2 = 0;
    for (let j = 0; j < this.dimensions; j++) norm2 += vector[j] * vector[j];
    const scale = this.distance === 'cosine' && norm2 > 0 ? 1 / Math.sqrt(norm2) : 1;
    for (let j = 0; j < this.dimensions; j++) out[j] = vector[j] * scale;
    if (this.distance === 'dot') out[this.dimensions] = query ? 0 : Math.sqrt(Math.max(0, this.maxNorm * this.maxNorm - norm2));
    return out;
  }
}

/** Centroids, row-major (k x dims), with their squared norms. */
export class Centroids {
  readonly norms: Float64Array;
  constructor(
    readonly data: Float64Array,
    readonly dims: number,
  ) {
    this.norms = new Float64Array(data.length / dims);
    this.refresh();
  }

  get count(): number {
    return this.norms.length;
  }

  refresh(): void {
    for (let c = 0; c < this.count; c++) {
      let s = 0;
      for (let j = 0; j < this.dims; j++) s += this.data[c * this.dims + j] ** 2;
      this.norms[c] = s;
    }
  }

  /** |c|^2 - 2 x.c for every centroid: x's squared distance to each, less |x|^2. */
  scores(x: Float64Array, out: Float64Array): Float64Array {
    const { data, dims } = this;
    for (let c = 0; c < this.count; c++) {
      let dot = 0;
      const base = c * dims;
      for (let j = 0; j < dims; j++) dot += x[j] * data[base + j];
      out[c] = this.norms[c] - 2 * dot;
    }
    return out;
  }

  /** Centroid indices, nearest first (ties by index). */
  ranked(x: Float64Array): number[] {
    const scores = this.scores(x, new Float64Array(this.count));
    return Array.from({ length: this.count }, (_, c) => c).sort((a, b) => scores[a] - scores[b] || a - b);
  }
}

function nearest(scores: Float64Array): number {
  let best = 0;
  for (let c = 1; c < scores.length; c++) if (scores[c] < scores[best]) best = c;
  return best;
}

/**
 * k-means on `points` (n x dims, already lifted): k-means++ seeding, then
 * Lloyd iterations until no point moves or `iterations` are done. A cluster
 * left empty is reseeded with the point farthest from its centroid. Spherical
 * (`normalize`) renormalizes the centroids after each update.
 */
export function trainCentroids(points: Float64Array, dims: number, k: number, options: { iterations: number; normalize: boolean; random: () => number }): Centroids {
  const n = points.length / dims;
  const { random } = options;
  const data = new Float64Array(k * dims);
  const row = (i: number) => points.subarray(i * dims, (i + 1) * dims);
  const norm2 = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) norm2[i] += points[i * dims + j] ** 2;
  // k-means++: each next centroid is a point drawn with probability proportional to its squared distance to the nearest chosen one.
  const closest = new Float64Array(n).fill(Infinity);
  let chosen = Math.floor(random() * n);
  for (let c = 0; c < k; c++) {
    data.set(row(chosen), c * dims);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let d2 = 0;
      for (let j = 0; j < dims; j++) d2 += (points[i * dims + j] - data[c * dims + j]) ** 2;
      if (d2 < closest[i]) closest[i] = d2;
      total += closest[i];
    }
    if (c + 1 === k) break;
    let target = random() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= closest[i];
      if (target < 0) {
        chosen = i;
        break;
      }
    }
  }
  const centroids = new Centroids(data, dims);
  const assignment = new Int32Array(n).fill(-1);
  const scores = new Float64Array(k);
  const sums = new Float64Array(k * dims);
  const sizes = new Float64Array(k);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    let moved = 0;
    let farthest = 0;
    let farthestD2 = -1;
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const x = row(i);
      centroids.scores(x, scores);
      const c = nearest(scores);
      if (assignment[i] !== c) moved++;
      assignment[i] = c;
      sizes[c]++;
      for (let j = 0; j < dims; j++) sums[c * dims + j] += x[j];
      const d2 = scores[c] + norm2[i];
      if (d2 > farthestD2) [farthest, farthestD2] = [i, d2];
    }
    if (moved === 0) break;
    for (let c = 0; c < k; c++) {
      const target = data.subarray(c * dims, (c + 1) * dims);
      if (sizes[c] === 0) {
        target.set(row(farthest));
        continue;
      }
      let s = 0;
      for (let j = 0; j < dims; j++) {
        target[j] = sums[c * dims + j] / sizes[c];
        s += target[j] * target[j];
      }
      if (options.normalize && s > 0) for (let j = 0; j < dims; j++) target[j] /= Math.sqrt(s);
    }
    centroids.refresh();
  }
  return centroids;
}

/**
 * Assigns every item to a centroid, no shard holding more than `capacity`:
 * items go in order of how much they prefer their nearest centroid over
 * their second (largest margin first), each to its nearest shard with room,
 * so that only the items near a border are displaced by a full shard.
 * `scores` is n x k (Centroids.scores of each item).
 */
export function assignBalanced(scores: Float32Array, k: number, capacity: number): Int32Array {
  const n = scores.length / k;
  const margin = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let [first, second] = [Infinity, Infinity];
    for (let c = 0; c < k; c++) {
      const s = scores[i * k + c];
      if (s < first) [first, second] = [s, first];
      else if (s < second) second = s;
    }
    margin[i] = k === 1 ? 0 : second - first;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => margin[b] - margin[a] || a - b);
  const sizes = new Int32Array(k);
  const out = new Int32Array(n);
  const ranked = Array.from({ length: k }, (_, c) => c);
  for (const i of order) {
    ranked.sort((a, b) => scores[i * k + a] - scores[i * k + b] || a - b);
    const c = ranked.find((candidate) => sizes[candidate] < capacity) as number;
    out[i] = c;
    sizes[c]++;
  }
  return out;
}
