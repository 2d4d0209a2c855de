/**
 * A sharded deployment opened in one process: the manifest and every shard
 * snapshot, for searching the split as one index (tests, a single-machine
 * router, a check after a split). A router that calls shards elsewhere uses
 * routeQuery and mergeNeighbors directly (examples/lambda-shards).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Index, type AsyncSearchOptions, type Neighbor } from '../arroy-index';
import { ArroyError } from '../errors';
import { mergeNeighbors } from '../shards';
import { checkOptions, checkPositiveInteger, type VectorInput } from '../validate';
import { readShardManifest, type ShardManifest } from './manifest';
import { ROUTE_OPTIONS, routeQuery, type RouteOptions } from './route';

export type ShardSearchOptions = Omit<AsyncSearchOptions, 'signal'> & RouteOptions;

export interface ShardSearchResult {
  neighbors: Neighbor[];
  /** The shards searched, nearest first. */
  shards: number[];
}

const SEARCH_OPTIONS = [...ROUTE_OPTIONS, 'k', 'searchK', 'recall', 'ef', 'filter', 'strategy'];

export class ShardSet {
  private constructor(
    readonly manifest: ShardManifest,
    readonly indexes: Index[],
  ) {}

  /**
   * Opens the deployment whose manifest is `location` (a directory holding
   * shards.json, or the file): every shard read-only and, by default,
   * verified against its checksum. A shard whose size, item count, distance
   * or dimensions disagree with the manifest is ERR_ARROY_CORRUPT.
   */
  static open(location: string, options?: { verify?: boolean }): ShardSet {
    const { verify } = checkOptions(options, 'open options', ['verify']);
    const manifest = readShardManifest(location);
    const indexes: Index[] = [];
    try {
      for (const [i, entry] of manifest.shards.entries()) {
        const file = path.join(manifest.dir, entry.file);
        const bytes = fs.existsSync(file) ? fs.statSync(file).size : -1;
        if (bytes !== entry.bytes) throw new ArroyError('ERR_ARROY_CORRUPT', `shard ${i} (${file}) has ${bytes} bytes, the manifest says ${entry.bytes}`);
        const index = Index.open(file, { readOnly: true, verify: verify ?? true, name: manifest.name, keys: manifest.keys });
        indexes.push(index);
        if (index.distance !== manifest.distance || index.dimensions !== manifest.dimensions || index.size !== entry.count) {
          throw new ArroyError('ERR_ARROY_CORRUPT', `shard ${i} (${file}) holds ${index.size} ${index.distance} items of ${index.dimensions} dimensions, the manifest says ${entry.count} ${manifest.distance} of ${manifest.dimensions}`);
        }
      }
    } catch (error) {
      for (const index of indexes) index.close();
      throw error;
    }
    return new ShardSet(manifest, indexes);
  }

  /** The shards a query would search (see routeQuery). */
  route(vector: VectorInput, options?: RouteOptions): number[] {
    return routeQuery(this.manifest, vector, options);
  }

  /** Searches the routed shards concurrently (searchAsync) and merges their top k exactly. */
  async search(vector: VectorInput, options?: ShardSearchOptions): Promise<ShardSearchResult> {
    const { probe, probeRecall, ...search } = checkOptions(options, 'shard search options', SEARCH_OPTIONS);
    const k = search.k ?? 10;
    checkPositiveInteger(k, 'k');
    const shards = routeQuery(this.manifest, vector, { probe, probeRecall });
    const lists = await Promise.all(shards.map((i) => this.indexes[i].searchAsync(vector, { ...search, k })));
    return { neighbors: mergeNeighbors(lists, k), shards };
  }

  close(): void {
    for (const index of this.indexes) index.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
