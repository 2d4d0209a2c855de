/**
 * The Index class: one named index of an arroy-ts file, a forest of
 * random-hyperplane trees (Spotify's Annoy algorithm) stored with its vectors
 * in LMDB and searched in place through the memory map.
 */
import { checkAttributes, normalizeWhere, type Attributes, type Where } from './attributes';
import { runBuild, type BuildOptions, type BuildResult } from './build';
import { ArroyError, invalidArgument } from './errors';
import { filterHandle, type FilterInput } from './filter';
import { writeSnapshot, type SnapshotOptions, type SnapshotResult } from './snapshot';
import type { DistanceName, StrategyName } from './names';
import { binding, type IndexStats, type NativeHits, type NativeIndexHandle, type NativeSearchArgs } from './native';
import { checkBoolean, checkId, checkMapSize, checkOneOf, checkOptions, checkPath, checkPositiveInteger, checkRecall, checkText, describe, limits, names, optionNames, toFloat32, type VectorInput } from './validate';

/**
 * How distance is measured; every result's `distance` follows this definition:
 * - `'euclidean'`: L2, `sqrt(Σ (aᵢ − bᵢ)²)` (not squared)
 * - `'manhattan'`: L1, `Σ |aᵢ − bᵢ|`
 * - `'cosine'`: `1 − cos(a, b)`, from 0 (same direction) to 2 (opposite); zero vectors are rejected
 * - `'dot'`: `−(a · b)`, so that ascending order puts the largest inner product first
 */
export type Distance = DistanceName;

/** How items are addressed: a numeric id (0..2^32-1), or a string key in indexes opened with `keys: 'string'`. */
export type ItemKey = number | string;

/** The `keys` option naming a key type: `Index<string>` for `'string'`, `Index<number>` for `'number'`. */
export type KeyKindOf<K extends ItemKey> = K extends string ? 'string' : 'number';

export interface OpenOptions {
  /** Vector length. Required to create an index; checked against the file when reopening. */
  dimensions?: number;
  /** Distance. Required to create an index; checked against the file when reopening. */
  distance?: Distance;
  /** Which index of the file (a file can hold several): 1 to 255 bytes of UTF-8. Default `'default'`. */
  name?: string;
  /**
   * `'number'` (default): items are addressed by integer ids 0..2^32-1.
   * `'string'`: items are addressed by string keys (1-511 bytes of UTF-8),
   * mapped to ids the index allocates, in the same file and transaction as
   * the vectors. Fixed when the index is created; checked when reopening.
   */
  keys?: 'number' | 'string';
  /** Open without write access: add, delete and build throw. Default false. */
  readOnly?: boolean;
  /**
   * Bytes of address space reserved for the memory map at open (not disk):
   * 1 MiB to 16 TiB, default 64 GiB. The map grows by itself when a build
   * fills it, and follows when another process has grown the file.
   */
  mapSize?: number;
  /**
   * Check the file's snapshot checksum (see `snapshot()`) in one sequential
   * read before LMDB reads any page of it: a damaged copy throws
   * ERR_ARROY_CORRUPT, a file that carries no checksum ERR_ARROY_NO_CHECKSUM.
   * Needs `readOnly: true`. Costs one read of the whole file. Default false.
   */
  verify?: boolean;
}

const OPEN_OPTIONS = optionNames<OpenOptions>({ dimensions: true, distance: true, name: true, keys: true, readOnly: true, mapSize: true, verify: true });
const CHECK_OPTIONS = optionNames<CheckOptions>({ deep: true });

/**
 * How candidates are found. `'auto'` (default): the neighbour graph when the
 * index has one (unless `searchK` asks for the forest), and with a filter
 * whichever a cost model expects to be faster (an exact scan of a small
 * allowed set, else the graph or the forest). `'graph'`: best-first through
 * the neighbour graph, starting from the leaves the query reaches in the
 * trees. `'forest'`: best-first through the trees, skipping what the filter
 * excludes (searchK then counts allowed candidates). `'exact'`: score every
 * allowed item (exact results).
 */
export type SearchStrategy = StrategyName;

export interface SearchOptions {
  /** How many neighbours to return. Default 10. */
  k?: number;
  /**
   * The recall@10 to aim for, in (0, 1]: the search picks the work that the
   * build measured to reach it on the index's own items (`stats().graph.curve`).
   * 1 searches exactly. Default 0.95 (`defaults.recall`). Every search aims a quarter of the
   * misses above what it asks, for queries drawn unlike the items. Indexes with a graph only.
   */
  recall?: number;
  /**
   * Expert knob of the graph search: the width of its beam (the walk stops
   * once no candidate is closer than the ef-th best found). Below k the
   * search still returns k results, the closest it scored: a cheaper, lower
   * recall walk. Overrides `recall`.
   */
  ef?: number;
  /**
   * Expert knob of the forest: how many unique candidates to score exactly
   * before returning the best k; giving it searches the forest. Default
   * `max(100, 25 · k · trees)`.
   */
  searchK?: number;
  /**
   * Only items in this set are returned: a {@link Filter} (resolve once, reuse
   * across queries) or ids / keys as a Uint32Array, array or Set.
   */
  filter?: FilterInput;
  /** How candidates are found (see {@link SearchStrategy}). Default `'auto'`. */
  strategy?: SearchStrategy;
  /**
   * Only items whose attributes match this predicate (see {@link Where}),
   * resolved through the index's inverted index into the same allowed set a
   * `filter` gives; with `filter` too, an item must pass both. A field no
   * item has had, or a value of another type than the field's, throws
   * ERR_ARROY_INVALID_ARGUMENT.
   */
  where?: Where;
  /** Put each result's attributes on its Neighbor (read in the same snapshot). Default false. */
  attributes?: boolean;
}

/** add() options. */
export interface AddOptions {
  /**
   * The item's attributes, stored at the next build with the vector (in the
   * same transaction). An add without them clears any the item had.
   */
  attributes?: Attributes;
}

const ADD_OPTIONS = optionNames<AddOptions>({ attributes: true });

export interface CheckOptions {
  /** Also verify every stored vector's checksum (reads them all). Default false. */
  deep?: boolean;
}

/** searchAsync() options: search()'s, and a signal. */
export interface AsyncSearchOptions extends SearchOptions {
  /** Aborts the search: its promise rejects at once with ERR_ARROY_ABORTED, and the work stops before its next query. */
  signal?: AbortSignal;
}

/** searchBatch() options. */
export interface BatchSearchOptions extends AsyncSearchOptions {
  /** Threads the rows are split across: 1 to limits.maxThreads. Default: every core (the search pool's size). */
  threads?: number;
}

/**
 * searchBatch()'s answer, row-major: row r's hits are at [r·k, r·k + counts[r]),
 * nearest first. A row with fewer than k hits (a small index or filter) is
 * padded with id 0xFFFFFFFF and distance Infinity; `counts` says where its
 * hits end (0xFFFFFFFF is also a valid id, so check counts, not the id).
 */
export interface BatchResult {
  /** Rows × k ids. */
  ids: Uint32Array;
  /** Rows × k distances. */
  distances: Float32Array;
  /** Hits in each row (at most k). */
  counts: Uint32Array;
  /** The k the rows were asked for: the row stride. */
  k: number;
  /** Rows × k keys, in indexes with string keys (undefined past a row's count). */
  keys?: (string | undefined)[];
}

/** search() with a report of how the query ran. */
export interface SearchResult {
  neighbors: Neighbor[];
  /** The strategy that ran. */
  strategy: Exclude<SearchStrategy, 'auto'>;
  /** How many exact distances were computed. */
  scored: number;
  /** The ef of the graph search (0 when the graph was not searched). */
  ef: number;
}

export interface Neighbor {
  /** The item's id (allocated by the index when it uses string keys). */
  id: number;
  distance: number;
  /** The item's key, in indexes with string keys. */
  key?: string;
  /** The item's attributes (`{}` when it has none), with `attributes: true`. */
  attributes?: Attributes;
}

function toNeighbors(hits: NativeHits): Neighbor[] {
  const out: Neighbor[] = new Array(hits.ids.length);
  const { keys, attributes } = hits;
  for (let i = 0; i < out.length; i++) {
    const neighbor: Neighbor = keys ? { id: hits.ids[i], distance: hits.distances[i], key: keys[i] } : { id: hits.ids[i], distance: hits.distances[i] };
    if (attributes) neighbor.attributes = attributes[i];
    out[i] = neighbor;
  }
  return out;
}

const SEARCH_OPTIONS = optionNames<SearchOptions>({ k: true, recall: true, ef: true, searchK: true, filter: true, strategy: true, where: true, attributes: true });
const ASYNC_SEARCH_OPTIONS = [...SEARCH_OPTIONS, ...optionNames<Omit<AsyncSearchOptions, keyof SearchOptions>>({ signal: true })];
const BATCH_SEARCH_OPTIONS = [...ASYNC_SEARCH_OPTIONS, ...optionNames<Omit<BatchSearchOptions, keyof AsyncSearchOptions>>({ threads: true })];

/**
 * The one place search options become the binding's arguments, for every
 * search (sync, async and batch); `allowed` names the options the caller takes.
 */
function searchArgs(options: SearchOptions | undefined, what: string, allowed: readonly string[] = SEARCH_OPTIONS): NativeSearchArgs {
  const { k, searchK, filter, strategy, recall, ef, where, attributes } = checkOptions(options, what, allowed);
  return [
    k === undefined ? 10 : checkPositiveInteger(k, 'k', limits.maxItemId),
    searchK === undefined ? undefined : checkPositiveInteger(searchK, 'searchK'),
    filterHandle(filter),
    strategy === undefined ? undefined : checkOneOf(strategy, 'strategy', names.strategies as readonly SearchStrategy[]),
    recall === undefined ? undefined : checkRecall(recall),
    ef === undefined ? undefined : checkPositiveInteger(ef, 'ef', limits.maxSearchEf),
    where === undefined ? undefined : normalizeWhere(where),
    attributes === undefined ? undefined : checkBoolean(attributes, 'attributes'),
  ];
}

let nextSearchToken = 1;

/**
 * Runs a native async search with a cancel token when a signal is given: on
 * abort the promise rejects at once and the native work stops early.
 */
function cancellable<T>(signal: unknown, run: (token: number) => Promise<T>): Promise<T> {
  if (signal === undefined) return run(0);
  if (!(signal instanceof AbortSignal)) throw invalidArgument(`signal must be an AbortSignal, got ${describe(signal)}`);
  const aborted = () => new ArroyError('ERR_ARROY_ABORTED', 'the search was aborted', { cause: signal.reason });
  if (signal.aborted) throw aborted();
  const token = nextSearchToken;
  nextSearchToken = nextSearchToken >= 0xffff_ffff ? 1 : nextSearchToken + 1;
  const running = run(token); // throws here for bad arguments, before any listener exists
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      binding.cancelSearch(token);
      reject(aborted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    running.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** @internal The native handle of an open Index (for Database; not part of the public API). */
export let indexHandleOf: (index: Index) => NativeIndexHandle;
/**
 * @internal Marks a closed Index whose index Database.drop() deleted: later
 * calls throw ERR_ARROY_NOT_AN_INDEX, as they do on any other Index open on it.
 */
export let markDropped: (index: Index) => void;

/**
 * An index whose items are addressed by K: `Index<number>` (ids) or
 * `Index<string>` (keys), from the `keys` option; `Index` alone accepts
 * either and checks at run time (an index reopened without `keys`).
 */
export class Index<K extends ItemKey = ItemKey> {
  /** The file this index lives in. */
  readonly path: string;
  /** This index's name within the file. */
  readonly name: string;
  readonly dimensions: number;
  readonly distance: Distance;
  readonly readOnly: boolean;
  /** How items are addressed: `'number'` ids or `'string'` keys. */
  readonly keys: 'number' | 'string';
  #handle: NativeIndexHandle | undefined;
  #dropped = false;
  #mapSize: number | undefined;

  static {
    indexHandleOf = (index) => index.#live();
    markDropped = (index) => {
      index.close();
      index.#dropped = true;
    };
  }

  private constructor(path: string, handle: NativeIndexHandle) {
    this.path = path;
    this.#handle = handle;
    this.name = handle.name();
    this.dimensions = handle.dimensions();
    this.distance = handle.metric() as Distance;
    this.readOnly = handle.readOnly();
    this.keys = handle.stringKeys() ? 'string' : 'number';
  }

  /**
   * Opens the index `options.name` of the file at `path`, creating the file
   * and the index when they do not exist (then `dimensions` and `distance` are
   * required). Reopening checks them against what the file holds.
   */
  static open(path: string, options: OpenOptions & { keys: 'string' }): Index<string>;
  static open(path: string, options: OpenOptions & { keys: 'number' }): Index<number>;
  static open(path: string, options?: OpenOptions): Index;
  static open(path: string, options?: OpenOptions): Index {
    checkPath(path);
    const { dimensions, distance, name, keys, readOnly, mapSize, verify } = checkOptions(options, 'open options', OPEN_OPTIONS);
    if (keys !== undefined) checkOneOf(keys, 'keys', ['number', 'string']);
    if (dimensions !== undefined) checkPositiveInteger(dimensions, 'dimensions', limits.maxDimensions);
    if (distance !== undefined) checkOneOf(distance, 'distance', names.distances as readonly Distance[]);
    if (name !== undefined) checkText(name, 'name');
    if (readOnly !== undefined) checkBoolean(readOnly, 'readOnly');
    if (mapSize !== undefined) checkMapSize(mapSize);
    if (verify !== undefined) checkBoolean(verify, 'verify');
    const index = new Index(path, new binding.IndexHandle(path, { dimensions, distance, name, keys, readOnly, mapSize, verify }));
    index.#mapSize = mapSize;
    return index;
  }

  /** Threads of the native pool searchAsync and searchBatch run on (one per core). */
  static get searchThreads(): number {
    return binding.defaults.searchThreads;
  }

  /** The SIMD kernels this process uses: `'avx512'`, `'avx2'`, `'neon'` or `'scalar'` (set ARROY_SIMD to force one). */
  static get simd(): string {
    return binding.simd;
  }

  /** How checksums (CRC32C, of slots, metadata and snapshots) are computed here: `'sse4.2'`, `'armv8-crc'` or `'scalar'`. */
  static get checksum(): string {
    return binding.crc32c;
  }

  #live(): NativeIndexHandle {
    if (this.#dropped) throw new ArroyError('ERR_ARROY_NOT_AN_INDEX', `the index ${describe(this.name)} was dropped`);
    if (!this.#handle) throw new ArroyError('ERR_ARROY_CLOSED', 'the index is closed');
    return this.#handle;
  }

  /** Items in the last committed build (pending changes are not counted). */
  get size(): number {
    return this.#live().size();
  }

  /** Trees in the committed forest. */
  get trees(): number {
    return this.#live().treeCount();
  }

  /** Adds and deletes waiting for the next build (held in memory by this Index object). */
  get pendingCount(): number {
    return this.#live().pendingCount();
  }

  /**
   * Stores `vector` under `key` (an id, or a string in indexes with string
   * keys) at the next build, replacing any vector it had, and with it
   * `options.attributes` (replacing any it had: an add without attributes
   * leaves the item with none). Until then searches and get() see the
   * committed state. A field's type (string, number, boolean) is fixed by its
   * first write; another type is ERR_ARROY_INVALID_ARGUMENT naming the field.
   * An empty array is the same as leaving the field out.
   */
  add(key: K, vector: VectorInput, options?: AddOptions): void {
    const handle = this.#live();
    const values = toFloat32(vector);
    const attributes = checkAttributes(checkOptions(options, 'add options', ADD_OPTIONS).attributes);
    if (typeof key === 'string') handle.addKey(checkText(key, 'key'), values, attributes);
    else handle.add(checkId(key, 'id'), values, attributes);
  }

  /** The committed attributes of `key` (`{}` when it has none), or undefined when it is not stored. */
  getAttributes(key: K): Attributes | undefined {
    const handle = this.#live();
    const id = this.#idOf(handle, key);
    return id === undefined ? undefined : handle.getAttributes(id);
  }

  /** Removes `key` at the next build (a no-op for a key that is not stored). */
  delete(key: K): void {
    const handle = this.#live();
    if (typeof key === 'string') handle.removeKey(checkText(key, 'key'));
    else handle.remove(checkId(key, 'id'));
  }

  /** The committed id of `key`: itself for an id, the allocated id for a string key; undefined if not stored. */
  #idOf(handle: NativeIndexHandle, key: ItemKey, what = 'key'): number | undefined {
    if (typeof key !== 'string') {
      checkId(key, what);
      if (this.keys === 'string') throw invalidArgument(`this index addresses items by string keys; ${what} must be a string`);
      return key;
    }
    if (this.keys !== 'string') throw invalidArgument(`this index addresses items by numeric ids; got the string ${describe(key)}`);
    return handle.idOfKey(checkText(key, what));
  }

  /**
   * Commits the pending changes and rebuilds the forest, off the main thread
   * and in one LMDB write transaction: readers, in this process or others,
   * see the old index until the new one is complete.
   */
  async build(options: BuildOptions = {}): Promise<BuildResult> {
    const handle = this.#live();
    return runBuild(options, (native, progress) => handle.build(native, progress), [handle]) as Promise<BuildResult>;
  }

  /** The one search path: by vector, or around the stored item `key` (undefined when it is not stored). */
  #search(target: { vector: VectorInput } | { key: ItemKey }, options: SearchOptions | undefined): NativeHits | undefined {
    const handle = this.#live();
    if ('vector' in target) {
      const query = toFloat32(target.vector, 'query');
      return handle.search(query, ...searchArgs(options, 'search options'));
    }
    const args = searchArgs(options, 'search options');
    const id = this.#idOf(handle, target.key);
    return id === undefined ? undefined : handle.searchById(id, ...args);
  }

  /** The k nearest stored items to `vector`, nearest first (ties by smaller id). */
  search(vector: VectorInput, options?: SearchOptions): Neighbor[] {
    return toNeighbors(this.#search({ vector }, options)!);
  }

  /** search(), together with how the query ran (which strategy, how many distances). */
  searchDetailed(vector: VectorInput, options?: SearchOptions): SearchResult {
    const hits = this.#search({ vector }, options)!;
    return { neighbors: toNeighbors(hits), strategy: hits.strategy, scored: hits.scored, ef: hits.ef };
  }

  /**
   * The k nearest items to the stored item `key` (which is usually first, at
   * distance 0), or undefined when `key` is not stored.
   */
  searchById(key: K, options?: SearchOptions): Neighbor[] | undefined {
    const hits = this.#search({ key }, options);
    return hits && toNeighbors(hits);
  }

  /**
   * search() on a native worker thread (a pool with one thread per core), so
   * the event loop stays free and concurrent calls use every core. Each search
   * reads its own short snapshot; none is held across an await.
   */
  async searchAsync(vector: VectorInput, options?: AsyncSearchOptions): Promise<Neighbor[]> {
    const handle = this.#live();
    const query = toFloat32(vector, 'query');
    const args = searchArgs(options, 'searchAsync options', ASYNC_SEARCH_OPTIONS);
    return toNeighbors(await cancellable(options?.signal, (token) => handle.searchAsync(query, token, ...args)));
  }

  /**
   * The k nearest items to each row of `queries` (rows × dimensions floats,
   * row-major), split across native threads. See {@link BatchResult} for the layout.
   */
  async searchBatch(queries: Float32Array, options?: BatchSearchOptions): Promise<BatchResult> {
    const handle = this.#live();
    if (!(queries instanceof Float32Array)) throw invalidArgument(`queries must be a Float32Array of rows × dimensions values, got ${describe(queries)}`);
    const args = searchArgs(options, 'searchBatch options', BATCH_SEARCH_OPTIONS);
    const threads = options?.threads === undefined ? binding.defaults.searchThreads : checkPositiveInteger(options.threads, 'threads', limits.maxThreads);
    const result = await cancellable(options?.signal, (token) => handle.searchBatch(queries, threads, token, ...args));
    return { ...result, k: args[0] };
  }

  /** The ids of the k nearest items to `vector`, nearest first: search() without distances or objects. */
  searchIds(vector: VectorInput, options?: SearchOptions): Uint32Array {
    return this.#search({ vector }, options)!.ids;
  }

  /** Whether `key` is stored (committed). */
  has(key: K): boolean {
    const handle = this.#live();
    const id = this.#idOf(handle, key);
    return id !== undefined && handle.has(id);
  }

  /** The distance between two stored items, as search() would report it, or undefined if either is not stored. */
  distanceBetween(a: K, b: K): number | undefined {
    const handle = this.#live();
    const [x, y] = [this.#idOf(handle, a, 'a'), this.#idOf(handle, b, 'b')];
    return x === undefined || y === undefined ? undefined : handle.distance(x, y);
  }

  /**
   * The committed ids in ascending order. Reads in batches, each in its own
   * short snapshot, so a long iteration never pins old pages: ids committed
   * while it runs may or may not appear.
   */
  *ids(): IterableIterator<number> {
    for (let from = 0; ; ) {
      const batch = this.#live().idsFrom(from, ITERATION_BATCH);
      yield* batch;
      if (batch.length < ITERATION_BATCH) return;
      from = batch[batch.length - 1] + 1;
    }
  }

  /** The committed string keys in byte order (indexes with string keys), read in batches like ids(). */
  *keyNames(): IterableIterator<string> {
    if (this.keys !== 'string') throw invalidArgument('this index addresses items by numeric ids');
    for (let from = ''; ; ) {
      const batch = this.#live().keysFrom(from, ITERATION_BATCH);
      yield* batch;
      if (batch.length < ITERATION_BATCH) return;
      // The next key after the last: the last with a NUL byte appended sorts right after it.
      from = `${batch[batch.length - 1]}\u0000`;
    }
  }

  /** The seed of the committed forest's planes, or undefined before the first build. */
  get seed(): bigint | undefined {
    return this.#live().seed();
  }

  /** A copy of the committed vector of `key`, or undefined. */
  get(key: K): Float32Array | undefined {
    const handle = this.#live();
    const id = this.#idOf(handle, key);
    return id === undefined ? undefined : handle.get(id);
  }

  /** Counts and per-tree shape (depth, buckets, splits) of the committed forest. Reads the whole forest. */
  stats(): IndexStats {
    return this.#live().stats();
  }

  /**
   * Verifies every structural invariant of the committed index (each tree
   * holds each item exactly once, no node is shared or orphaned, ids and
   * vectors agree, the metadata's checksum) and throws ERR_ARROY_CORRUPT
   * naming the first violation. Reads every record header.
   *
   * With `deep: true` it first verifies the checksum of every stored vector,
   * and the error lists the damaged items (ids, keys), so damage inside a
   * vector, which no invariant can see, is found. Reads every vector once.
   */
  check(options?: CheckOptions): void {
    const { deep } = checkOptions(options, 'check options', CHECK_OPTIONS);
    this.#live().check(deep === undefined ? false : checkBoolean(deep, 'deep'));
  }

  /**
   * Writes a snapshot of this index to `path`: a new file holding this index
   * alone (under the same name), as of the last commit, taken off the main
   * thread while builds in any process keep committing, compact, followed by
   * a CRC32C checksum that `Index.open(path, { readOnly: true, verify: true })`
   * checks. The copy is written under a temporary name and renamed into
   * place. `wholeFile: true` copies the whole file instead, every index of
   * it (as `Database.snapshot`).
   */
  async snapshot(path: string, options?: SnapshotOptions): Promise<SnapshotResult> {
    this.#live();
    return writeSnapshot(this.path, { readOnly: this.readOnly, mapSize: this.#mapSize }, path, options, this.name);
  }

  /**
   * Releases the file (once every Index of this process on it is closed).
   * Pending changes are dropped and a running build is cancelled. Idempotent.
   */
  close(): void {
    this.#handle?.close();
    this.#handle = undefined;
  }

  /** close(), for `using index = Index.open(...)`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Ids or keys read per snapshot by ids() and keyNames(). */
const ITERATION_BATCH = 4096;
