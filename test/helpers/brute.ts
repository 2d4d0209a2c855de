/** Exact reference answers, computed in float64, for small test data. */
import type { Distance, Neighbor } from '../../src/index';
import { random } from './random.mjs';

export { random };

export function randomVectors(count: number, dim: number, seed: number): Float32Array[] {
  const next = random(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, () => next() * 2 - 1));
}

/** The distance of arroy-ts's documented definitions, in float64. */
export function referenceDistance(distance: Distance, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0, l2 = 0, l1 = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
    l2 += (a[i] - b[i]) ** 2;
    l1 += Math.abs(a[i] - b[i]);
  }
  switch (distance) {
    case 'euclidean': return Math.sqrt(l2);
    case 'manhattan': return l1;
    case 'cosine': return 1 - dot / Math.sqrt(na * nb);
    case 'dot': return -dot;
  }
}

/** Exact k nearest (ties by smaller id) among items given as [id, vector]. */
export function bruteForce(distance: Distance, items: Array<[number, Float32Array]>, query: ArrayLike<number>, k: number): Neighbor[] {
  return items
    .map(([id, v]) => ({ id, distance: referenceDistance(distance, query, v) }))
    .sort((x, y) => x.distance - y.distance || x.id - y.id)
    .slice(0, k);
}
