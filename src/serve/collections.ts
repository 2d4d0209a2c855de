/**
 * Projects' collections in one arroy-ts file: collection `c` of project `p`
 * is the string-keyed index named `p/c` of the Database (names allow no '/',
 * so the split is unambiguous). Projects themselves live in the key file.
 */
import type { Database } from '../database';
import type { Distance, Index } from '../arroy-index';
import { conflict, notFound } from './errors';
import type { WriteBatcher } from './batcher';

export interface CollectionInfo {
  name: string;
  dimensions: number;
  distance: Distance;
  /** Items committed (searchable now). */
  items: number;
  /** Changes queued for the next build. */
  pending: number;
}

export const indexName = (project: string, collection: string): string => `${project}/${collection}`;

export class Collections {
  readonly #db: Database;
  readonly #batcher: WriteBatcher;
  /** The file's index names, read once: this process is the file's only writer of names. */
  readonly #names: Set<string>;

  constructor(db: Database, batcher: WriteBatcher) {
    this.#db = db;
    this.#batcher = batcher;
    this.#names = new Set(db.names());
  }

  names(project: string): string[] {
    const prefix = `${project}/`;
    return [...this.#names].filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
  }

  /** The open index of a collection; 404 when there is none. */
  index(project: string, collection: string): Index<string> {
    const name = indexName(project, collection);
    if (!this.#names.has(name)) throw notFound(`no collection '${collection}' in project '${project}'`);
    return this.#db.index(name, { keys: 'string' });
  }

  info(project: string, collection: string): CollectionInfo {
    const index = this.index(project, collection);
    return { name: collection, dimensions: index.dimensions, distance: index.distance, items: index.size, pending: index.pendingCount };
  }

  async create(project: string, collection: string, dimensions: number, distance: Distance): Promise<CollectionInfo> {
    const name = indexName(project, collection);
    return this.#batcher.exclusive(() => {
      if (this.#names.has(name)) throw conflict(`collection '${collection}' already exists in project '${project}'`);
      this.#db.index(name, { dimensions, distance, keys: 'string' });
      this.#names.add(name);
      return this.info(project, collection);
    });
  }

  async drop(project: string, collection: string): Promise<void> {
    const name = indexName(project, collection);
    await this.#batcher.exclusive(() => {
      if (!this.#names.has(name)) throw notFound(`no collection '${collection}' in project '${project}'`);
      this.#db.drop(name);
      this.#names.delete(name);
    });
  }

  async dropProject(project: string): Promise<void> {
    for (const collection of this.names(project)) await this.drop(project, collection);
  }
}
