/**
 * Groups writes into builds. A write changes its Index at once (the change is
 * pending, in memory) and is told the id of the build that will commit it:
 * the next one to start. A build starts `delayMs` after the first change
 * waiting for it, or at once when `maxItems` changes wait, and never while
 * another runs; it commits every collection's changes in one transaction
 * (`Database.build`), off the event loop, so searches keep being served from
 * the last commit while it runs.
 *
 * Build ids count up from 1 in this process. A client holding id n knows its
 * write is searchable once build n is `committed` (GET /v1/builds/n).
 */
import type { Database } from '../database';
import type { BuildResult } from '../build';

export type BuildState = 'queued' | 'building' | 'committed' | 'failed';

export interface BuildStatus {
  id: number;
  state: BuildState;
  /** Changes (adds and deletes) queued for this build. */
  changes: number;
  durationMs?: number;
  error?: { code: string; message: string };
}

export interface BatcherOptions {
  /** How long the first queued change waits for others before its build starts. */
  delayMs: number;
  /** A build starts at once when this many changes wait. */
  maxItems: number;
}

/** Builds remembered for status queries; older ids answer 404. */
export const STATUS_HISTORY = 10_000;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WriteBatcher {
  readonly #db: Database;
  readonly #options: BatcherOptions;
  #next: BuildStatus;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #statuses = new Map<number, BuildStatus>();
  readonly #waiters = new Map<number, Waiter[]>();
  readonly #errors = new Map<number, unknown>();
  #lastCommitted = 0;
  #builds = 0;
  #closed = false;

  constructor(db: Database, options: BatcherOptions) {
    this.#db = db;
    this.#options = options;
    this.#next = this.#fresh(1);
  }

  #fresh(id: number): BuildStatus {
    const status: BuildStatus = { id, state: 'queued', changes: 0 };
    this.#statuses.set(id, status);
    this.#statuses.delete(id - STATUS_HISTORY);
    this.#errors.delete(id - STATUS_HISTORY);
    return status;
  }

  /** The id of the last build that committed (0 before the first). */
  get lastCommitted(): number {
    return this.#lastCommitted;
  }

  /** Builds run so far (committed or failed). */
  get builds(): number {
    return this.#builds;
  }

  /**
   * Runs `apply`, which makes `changes` pending changes (all or nothing: it
   * must check its input before changing anything), and returns the id of the
   * build that will commit them.
   */
  write(changes: number, apply: () => void): number {
    if (this.#closed) throw new Error('the service is shutting down');
    apply();
    const status = this.#next;
    status.changes += changes;
    this.#schedule();
    return status.id;
  }

  /** Settles when build `id` committed; rejects with its error when it failed. */
  settled(id: number): Promise<void> {
    const status = this.#statuses.get(id);
    if (!status) return Promise.reject(new Error(`unknown build ${id}`));
    if (status.state === 'committed') return Promise.resolve();
    if (status.state === 'failed') return Promise.reject(this.#errors.get(id));
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(id) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(id, list);
    });
  }

  status(id: number): BuildStatus | undefined {
    return this.#statuses.get(id);
  }

  #schedule(): void {
    if (this.#running) return; // the running build schedules the next when it ends
    if (this.#next.changes >= this.#options.maxItems) {
      this.#start();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => this.#start(), this.#options.delayMs);
    }
  }

  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running || this.#next.changes === 0) return;
    const status = this.#next;
    this.#next = this.#fresh(status.id + 1);
    status.state = 'building';
    const started = performance.now();
    this.#running = this.#db.build().then(
      (_results: Record<string, BuildResult>) => this.#finish(status, started),
      (error: unknown) => this.#finish(status, started, error),
    );
  }

  #finish(status: BuildStatus, started: number, error?: unknown): void {
    status.durationMs = Math.round((performance.now() - started) * 10) / 10;
    this.#builds++;
    const waiters = this.#waiters.get(status.id) ?? [];
    this.#waiters.delete(status.id);
    if (error === undefined) {
      status.state = 'committed';
      this.#lastCommitted = status.id;
      for (const waiter of waiters) waiter.resolve();
    } else {
      // The library keeps a failed build's changes pending: they go with the
      // next build, which a later write starts.
      const described = error as { code?: string; message?: string };
      status.state = 'failed';
      this.#errors.set(status.id, error);
      status.error = { code: described.code ?? 'INTERNAL', message: described.message ?? String(error) };
      for (const waiter of waiters) waiter.reject(error);
    }
    this.#running = undefined;
    if (this.#next.changes > 0) this.#schedule();
  }

  /**
   * Waits for the running build, then runs `change` (creating or dropping a
   * collection: a write transaction of its own, which would otherwise wait
   * for the build's lock on the event loop).
   */
  async exclusive<T>(change: () => T): Promise<T> {
    while (this.#running) await this.#running;
    return change();
  }

  /** Commits what is queued and stops taking writes. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running || this.#next.changes > 0) {
      if (!this.#running) this.#start();
      await this.#running;
    }
  }
}
