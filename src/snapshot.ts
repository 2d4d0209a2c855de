/**
 * Snapshots: a consistent, compacted, checksummed copy of an arroy-ts file,
 * written off the main thread while writers keep committing, for shipping an
 * index (a Lambda layer, a container image, a download). The copy and its
 * checksum run in the core (native/core/snapshot/); this module validates
 * options and wires an AbortSignal to the native cancel.
 */
import { ArroyError, invalidArgument } from './errors';
import { binding } from './native';
import { checkBoolean, checkOptions, checkPath, describe } from './validate';

export interface SnapshotOptions {
  /**
   * For `index.snapshot()`: copy the whole file, every index of it, instead
   * of a file holding only this index. Default false.
   */
  wholeFile?: boolean;
  /**
   * For copies of the whole file: leave out free pages and renumber the rest
   * (LMDB's compacting copy). Default true; false copies every page as it
   * is. A snapshot of one index is always compact (written in key order).
   */
  compact?: boolean;
  /**
   * Cancels the snapshot: the promise rejects with ERR_ARROY_ABORTED and no
   * file is left behind. LMDB's copy itself cannot stop midway, so an abort
   * takes effect when it ends, or at once during the checksum pass.
   */
  signal?: AbortSignal;
}

export interface SnapshotResult {
  /** Where the snapshot was written. */
  path: string;
  /** Bytes of the snapshot, its 64-byte checksum trailer included. */
  bytes: number;
  /** Bytes of the live file when the copy began. */
  sourceBytes: number;
  /** CRC32C of the snapshot's LMDB bytes (the trailer's checksum field). */
  crc: number;
  durationMs: number;
}

/**
 * @internal Writes a snapshot of the file at `source`, opened with
 * `openOptions`: of index `index` alone unless `wholeFile`, or of the whole
 * file when `index` is undefined.
 */
export async function writeSnapshot(
  source: string,
  openOptions: { readOnly?: boolean; mapSize?: number },
  destination: unknown,
  options: SnapshotOptions | undefined,
  index?: string,
): Promise<SnapshotResult> {
  if (typeof destination !== 'string' || destination.length === 0) {
    throw invalidArgument(`the snapshot path must be a non-empty string, got ${describe(destination)}`);
  }
  checkPath(destination);
  const { compact, signal, wholeFile } = checkOptions(options, 'snapshot options');
  if (compact !== undefined) checkBoolean(compact, 'compact');
  if (wholeFile !== undefined) checkBoolean(wholeFile, 'wholeFile');
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument('signal must be an AbortSignal');
  if (signal?.aborted) throw new ArroyError('ERR_ARROY_ABORTED', 'the snapshot was cancelled', { cause: signal.reason });
  const started = performance.now();
  const job = binding.snapshot(source, openOptions, destination, compact ?? true, wholeFile ? undefined : index);
  const cancel = () => job.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const report = await job.promise;
    return { path: destination, ...report, durationMs: performance.now() - started };
  } catch (error) {
    if (error instanceof ArroyError && error.code === 'ERR_ARROY_ABORTED' && signal?.aborted) {
      throw new ArroyError('ERR_ARROY_ABORTED', error.message, { cause: signal.reason });
    }
    throw error;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
