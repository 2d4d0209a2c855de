/**
 * A Database is an arroy-ts file seen as a whole: the named indexes it holds,
 * dropping one, and committing changes to several of them atomically.
 */
import { Index, indexHandleOf, markDropped, type Distance } from './arroy-index';
import { runBuild, type BuildOptions, type BuildResult } from './build';
import { ArroyError } from './errors';
import { binding } from './native';
import { writeSnapshot, type SnapshotOptions, type SnapshotResult } from './snapshot';
import { checkBoolean, checkMapSize, checkOptions, checkPath, checkText, describe } from './validate';

export interface DatabaseOptions {
  /** Open without write access. Default false. */
  readOnly?: boolean;
  /**
   * Bytes of address space reserved for the memory map at open (not disk):
   * 1 MiB to 16 TiB, default 64 GiB. The map grows by itself when a build
   * fills it, and follows when another process has grown the file.
   */
  mapSize?: number;
  /**
   * Check the file's snapshot checksum before LMDB reads it (as
   * `Index.open`'s `verify`). Needs `readOnly: true`. Default false.
   */
  verify?: boolean;
}

export interface DatabaseIndexOptions {
  /** Required to create the index; checked when it exists. */
  dimensions?: number;
  /** Required to create the index; checked when it exists. */
  distance?: Distance;
  /** `'string'` to address items by string keys (see OpenOptions.keys). */
  keys?: 'number' | 'string';
}

export class Database {
  readonly path: string;
  readonly readOnly: boolean;
  readonly #mapSize: number | undefined;
  readonly #indexes = new Map<string, Index>();
  #closed = false;

  private constructor(path: string, options: Partial<DatabaseOptions>) {
    this.path = path;
    this.readOnly = options.readOnly ?? false;
    this.#mapSize = options.mapSize;
  }

  /** Opens (creating when writable) the arroy-ts file at `path`. */
  static open(path: string, options?: DatabaseOptions): Database {
    checkPath(path);
    const checked = checkOptions(options, 'options');
    if (checked.readOnly !== undefined) checkBoolean(checked.readOnly, 'readOnly');
    if (checked.mapSize !== undefined) checkMapSize(checked.mapSize);
    if (checked.verify !== undefined) checkBoolean(checked.verify, 'verify');
    const db = new Database(path, checked);
    // Opens the file now, so a bad path fails here; a verified open checks the
    // file before anything reads it, so the indexes it opens need not again.
    binding.listIndexes(path, { readOnly: db.readOnly, mapSize: checked.mapSize, verify: checked.verify });
    return db;
  }

  #check(): void {
    if (this.#closed) throw new ArroyError('ERR_ARROY_CLOSED', 'the database is closed');
  }

  /** The names of the file's indexes, in creation order. */
  names(): string[] {
    this.#check();
    return binding.listIndexes(this.path, { readOnly: this.readOnly, mapSize: this.#mapSize });
  }

  /**
   * The index `name`, opened (or created, given dimensions and distance) on
   * first use; later calls return the same Index object.
   */
  index(name: string, options: DatabaseIndexOptions = {}): Index {
    this.#check();
    checkText(name, 'name');
    let index = this.#indexes.get(name);
    if (index && !this.#isOpen(index)) index = undefined;
    if (!index) {
      index = Index.open(this.path, { ...options, name, readOnly: this.readOnly, mapSize: this.#mapSize });
      this.#indexes.set(name, index);
    } else if ((options.dimensions !== undefined && options.dimensions !== index.dimensions) || (options.distance !== undefined && options.distance !== index.distance)) {
      // Same checks as a fresh open would make.
      Index.open(this.path, { ...options, name, readOnly: this.readOnly, mapSize: this.#mapSize }).close();
    }
    return index;
  }

  #isOpen(index: Index): boolean {
    try {
      indexHandleOf(index);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Deletes the index `name` and its data, at once (its own commit). Returns
   * false if there is none. Index objects open on it, here or elsewhere, throw
   * ERR_ARROY_NOT_AN_INDEX from then on; the one this Database handed out
   * also releases the file at once (close() on it stays a no-op).
   */
  drop(name: string): boolean {
    this.#check();
    checkText(name, 'name');
    // Closed first: its running build is cancelled and its handle released.
    const open = this.#indexes.get(name);
    open?.close();
    this.#indexes.delete(name);
    const dropped = binding.dropIndex(this.path, { mapSize: this.#mapSize }, name);
    if (open && dropped) markDropped(open);
    return dropped;
  }

  /**
   * Commits the pending changes of every index this Database has opened, and
   * updates their forests, in one LMDB write transaction: readers see all of
   * them change at once, or none. Resolves to a result per index name.
   */
  async build(options: BuildOptions = {}): Promise<Record<string, BuildResult>> {
    this.#check();
    const entries = [...this.#indexes.entries()].filter(([, index]) => this.#isOpen(index));
    if (entries.length === 0) return {};
    const handles = entries.map(([, index]) => indexHandleOf(index));
    const results = (await runBuild(options, (native, progress) => binding.IndexHandle.buildTogether(handles, native, progress), handles)) as BuildResult[];
    return Object.fromEntries(entries.map(([name], i) => [name, results[i]]));
  }

  /**
   * Writes a snapshot of the whole file (every index) to `path`: see
   * `Index.snapshot`. Pending changes are not in it; only committed builds.
   */
  async snapshot(path: string, options?: SnapshotOptions): Promise<SnapshotResult> {
    this.#check();
    return writeSnapshot(this.path, { readOnly: this.readOnly, mapSize: this.#mapSize }, path, options);
  }

  /** Closes every Index this Database opened. Idempotent. */
  close(): void {
    for (const index of this.#indexes.values()) index.close();
    this.#indexes.clear();
    this.#closed = true;
  }
}
