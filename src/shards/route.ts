/**
 * Routing a query over a sharded deployment: which shards to ask, nearest
 * first. A hash split spreads every neighbourhood over all shards, so it is
 * always asked whole; a k-means split ranks its shards by the query's
 * distance to their centroids (src/shards/kmeans.ts) and asks the `probe`
 * nearest, or as many as its measured recall curve says reach `recall`.
 */
import { ArroyError, invalidArgument } from '../errors';
import { checkOptions, checkRecall, describe, optionNames, toFloat32, type VectorInput } from '../validate';
import { Centroids, Space } from './kmeans';
import type { ShardManifest } from './manifest';

export interface RouteOptions {
  /** Shards to search, nearest first: 1 to the shard count. Default: all of them (the exact merge). A hash split takes only all. */
  probe?: number;
  /**
   * Instead of `probe`: the fewest shards whose measured curve (the
   * manifest's `recall.byProbe`, exact per-shard search) reaches this recall.
   * Each shard's own search loses a little more; all shards when no curve reaches it.
   */
  probeRecall?: number;
}

export const ROUTE_OPTIONS = optionNames<RouteOptions>({ probe: true, probeRecall: true });

/** The shards to probe for `probeRecall` by the manifest's curve. */
export function probeFor(manifest: ShardManifest, probeRecall: number): number {
  checkRecall(probeRecall);
  const count = manifest.shards.length;
  if (manifest.by === 'hash') return count;
  if (!manifest.recall) throw invalidArgument('this split measured no recall curve (recallQueries: 0): pass probe instead of probeRecall');
  const at = manifest.recall.byProbe.findIndex((r) => r >= probeRecall);
  return at < 0 ? count : at + 1;
}

const routers = new WeakMap<ShardManifest, { centroids: Centroids; space: Space }>();

/** The shards to search for `vector`, nearest first (a hash split: all, in order). */
export function routeQuery(manifest: ShardManifest, vector: VectorInput, options?: RouteOptions): number[] {
  const { probe, probeRecall } = checkOptions(options, 'route options', ROUTE_OPTIONS);
  const count = manifest.shards.length;
  if (probe !== undefined && probeRecall !== undefined) throw invalidArgument('pass probe or probeRecall, not both');
  if (probe !== undefined && (typeof probe !== 'number' || !Number.isInteger(probe) || probe < 1 || probe > count)) {
    throw invalidArgument(`probe must be an integer from 1 to ${count} (the shard count), got ${describe(probe)}`);
  }
  const query = toFloat32(vector, 'query vector');
  if (query.length !== manifest.dimensions) {
    throw new ArroyError('ERR_ARROY_DIMENSION_MISMATCH', `the query has ${query.length} dimensions, the shards ${manifest.dimensions}`);
  }
  const all = Array.from({ length: count }, (_, i) => i);
  if (manifest.by === 'hash') {
    if (probe !== undefined && probe < count) throw invalidArgument(`a hash split has every neighbourhood in every shard: probe must be ${count}, got ${probe}`);
    return all;
  }
  const take = probe ?? (probeRecall !== undefined ? probeFor(manifest, probeRecall) : count);
  let router = routers.get(manifest);
  if (!router) {
    const space = new Space(manifest.distance, manifest.dimensions);
    router = { space, centroids: new Centroids(Float64Array.from(manifest.centroids as Float32Array), space.dims) };
    routers.set(manifest, router);
  }
  return router.centroids.ranked(router.space.lift(query, new Float64Array(router.space.dims), true)).slice(0, take);
}
