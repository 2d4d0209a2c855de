/**
 * What Index.build and Database.build share: option checks, progress that
 * cannot break the build, and cancellation through an AbortSignal.
 */
import { ArroyError, invalidArgument } from './errors';
import type { BuildPhaseName } from './names';
import type { NativeBuildOptions, NativeBuildReport, NativeIndexHandle, NativeProgress } from './native';
import { checkBoolean, checkIntegerIn, checkOptions, checkPositiveInteger, describe, limits, optionNames } from './validate';

export interface BuildProgress {
  /** `'applying'` pending changes, growing `'trees'`, `'writing'` tree nodes, linking the `'graph'`, or `'calibrating'` its recall curve. */
  phase: BuildPhaseName;
  done: number;
  total: number;
}

export interface BuildOptions {
  /**
   * Grow every tree afresh from all items instead of updating the forest in
   * place. Default false: after the first build, builds are incremental and
   * cost in proportion to the pending changes.
   */
  rebuild?: boolean;
  /** Trees in the forest. More trees: better recall at a given searchK, bigger file. Default: 2 with a graph, else from the index size. */
  trees?: number;
  /** Seed of the random planes; the same items, seed and options give the same forest. */
  seed?: number | bigint;
  /** Most items in one leaf bucket, 2 to 4096 (default 64; the index remembers it). Changing it rebuilds the forest. */
  bucketCapacity?: number;
  /** Threads that grow trees and link the graph. Default: every core. */
  threads?: number;
  /**
   * Keep a neighbour graph over the items (searched from the trees' leaves;
   * the fast path of every search). Default: as the index has it, true for a
   * new index. `false` drops it and leaves a forest-only index.
   */
  graph?: boolean;
  /** Edges per item in the graph, 1 to 256. Default: from the dimensions (16 to 32). A new degree relinks every item. */
  graphDegree?: number;
  /** Called on the main thread about every 100 ms. If it throws, the build is cancelled and rejects with that error. */
  onProgress?: (progress: BuildProgress) => void;
  /** Cancels the build: nothing is committed and the promise rejects with ERR_ARROY_ABORTED. */
  signal?: AbortSignal;
}

const BUILD_OPTIONS = optionNames<BuildOptions>({
  rebuild: true,
  trees: true,
  seed: true,
  bucketCapacity: true,
  threads: true,
  graph: true,
  graphDegree: true,
  onProgress: true,
  signal: true,
});

export interface BuildResult {
  /** Items in the index after the build. */
  items: number;
  trees: number;
  /** The forest's node id space (the node count after a full build; incremental builds leave gaps). */
  nodes: number;
  /** True when the existing forest was updated in place rather than grown afresh. */
  incremental: boolean;
  /** True when the index has a neighbour graph after the build. */
  graph: boolean;
  /** Wall time of the build, in milliseconds. */
  durationMs: number;
}

/**
 * Validates options, then runs start() with the native options and a
 * progress callback; `handles` are cancelled on abort or a throwing onProgress.
 */
export async function runBuild(
  options: BuildOptions,
  start: (native: NativeBuildOptions, progress?: (p: NativeProgress) => void) => Promise<NativeBuildReport | NativeBuildReport[]>,
  handles: NativeIndexHandle[],
): Promise<BuildResult | BuildResult[]> {
  const { rebuild, trees, seed, bucketCapacity, threads, graph, graphDegree, onProgress, signal } = checkOptions(options, 'build options', BUILD_OPTIONS);
  if (graph !== undefined) checkBoolean(graph, 'graph');
  if (graphDegree !== undefined) checkPositiveInteger(graphDegree, 'graphDegree', limits.maxGraphDegree);
  if (rebuild !== undefined) checkBoolean(rebuild, 'rebuild');
  if (trees !== undefined) checkPositiveInteger(trees, 'trees', limits.maxTrees);
  if (bucketCapacity !== undefined) checkIntegerIn(bucketCapacity, 'bucketCapacity', limits.minBucketCapacity, limits.maxBucketCapacity);
  if (threads !== undefined) checkPositiveInteger(threads, 'threads', limits.maxThreads);
  if (seed !== undefined) {
    const ok = typeof seed === 'bigint' ? seed >= 0n && seed < 1n << 64n : Number.isSafeInteger(seed) && seed >= 0;
    if (!ok) throw invalidArgument(`seed must be a non-negative safe integer or a bigint below 2^64, got ${describe(seed)}`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalidArgument('onProgress must be a function');
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument('signal must be an AbortSignal');
  if (signal?.aborted) throw new ArroyError('ERR_ARROY_ABORTED', 'the build was cancelled', { cause: signal.reason });

  const cancel = () => handles.forEach((h) => h.cancelBuild());
  let progressError: { error: unknown } | undefined;
  const progress =
    onProgress &&
    ((event: NativeProgress) => {
      if (progressError) return;
      try {
        onProgress(event);
      } catch (error) {
        progressError = { error };
        cancel();
      }
    });
  signal?.addEventListener('abort', cancel, { once: true });
  const started = performance.now();
  try {
    const reports = await start({ rebuild, trees, seed, bucketCapacity, threads, graph, graphDegree }, progress);
    const durationMs = performance.now() - started;
    return Array.isArray(reports) ? reports.map((r) => ({ ...r, durationMs })) : { ...reports, durationMs };
  } catch (error) {
    if (progressError) throw progressError.error;
    if (error instanceof ArroyError && error.code === 'ERR_ARROY_ABORTED' && signal?.aborted) {
      throw new ArroyError('ERR_ARROY_ABORTED', error.message, { cause: signal.reason });
    }
    throw error;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
