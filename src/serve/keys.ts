/**
 * The key file: the service's projects and its API keys, kept beside the
 * index file as JSON (mode 0600, replaced atomically by rename).
 *
 * A key is `ak_<id>_<secret>`: `id` (12 hex digits) names the record to check
 * against, `secret` is 32 random bytes. Only the SHA-256 of the whole key is
 * stored. A slow hash (scrypt) protects guessable passwords; a 256-bit random
 * secret cannot be guessed, so one SHA-256 is enough and keeps every request's
 * check at a microsecond.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const KEY_FILE_VERSION = 1;
const KEY_PATTERN = /^ak_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface KeyRecord {
  id: string;
  /** The project the key may use; null for an admin key (every project, and projects and keys themselves). */
  project: string | null;
  sha256: string;
  created: string;
}

export interface ProjectRecord {
  created: string;
}

interface KeyFile {
  version: number;
  projects: Record<string, ProjectRecord>;
  keys: KeyRecord[];
}

export interface Caller {
  keyId: string;
  project: string | null;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

// Compared against when the key's id names no record, so that an unknown id
// costs the same hash and comparison as a wrong secret.
const DECOY = digest('ak_000000000000_decoy');

export class KeyStore {
  readonly path: string;
  #data: KeyFile;
  #mtimeMs = 0;

  private constructor(file: string, data: KeyFile) {
    this.path = file;
    this.#data = data;
  }

  /** Opens the key file, or starts an empty one (written on the first change). */
  static open(file: string): KeyStore {
    const store = new KeyStore(path.resolve(file), { version: KEY_FILE_VERSION, projects: {}, keys: [] });
    store.#reload();
    return store;
  }

  #reload(): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (stat.mtimeMs === this.#mtimeMs) return;
    const parsed = JSON.parse(fs.readFileSync(this.path, 'utf8')) as KeyFile;
    if (parsed.version !== KEY_FILE_VERSION || typeof parsed.projects !== 'object' || !Array.isArray(parsed.keys)) {
      throw new Error(`${this.path} is not an arroy-ts key file of version ${KEY_FILE_VERSION}`);
    }
    this.#data = parsed;
    this.#mtimeMs = stat.mtimeMs;
  }

  #save(): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(this.#data, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temporary, this.path);
    this.#mtimeMs = fs.statSync(this.path).mtimeMs;
  }

  /** The caller a presented key belongs to, or undefined when it is no valid key. */
  verify(presented: string): Caller | undefined {
    const match = KEY_PATTERN.exec(presented);
    let record = match ? this.#find(match[1]) : undefined;
    // A key made by `arroy-ts serve --create-key` while the service runs is in
    // the file but not yet in memory.
    if (match && !record) {
      this.#reload();
      record = this.#find(match[1]);
    }
    const expected = record ? Buffer.from(record.sha256, 'hex') : DECOY;
    const same = timingSafeEqual(digest(presented), expected);
    return record && same ? { keyId: record.id, project: record.project } : undefined;
  }

  #find(id: string): KeyRecord | undefined {
    return this.#data.keys.find((key) => key.id === id);
  }

  /** Makes a key for `project` (null: an admin key); returns the plaintext, which is not kept. */
  createKey(project: string | null): { key: string; record: KeyRecord } {
    this.#reload();
    if (project !== null && !this.#data.projects[project]) throw new Error(`no project '${project}'`);
    let id: string;
    do id = randomBytes(6).toString('hex');
    while (this.#find(id));
    const key = `ak_${id}_${randomBytes(32).toString('base64url')}`;
    const record: KeyRecord = { id, project, sha256: digest(key).toString('hex'), created: new Date().toISOString() };
    this.#data.keys.push(record);
    this.#save();
    return { key, record };
  }

  /** Revokes a key; false when there is none of that id. */
  revokeKey(id: string): boolean {
    this.#reload();
    const before = this.#data.keys.length;
    this.#data.keys = this.#data.keys.filter((key) => key.id !== id);
    if (this.#data.keys.length === before) return false;
    this.#save();
    return true;
  }

  keys(project?: string | null): KeyRecord[] {
    return this.#data.keys.filter((key) => project === undefined || key.project === project);
  }

  project(name: string): ProjectRecord | undefined {
    return this.#data.projects[name];
  }

  projects(): string[] {
    return Object.keys(this.#data.projects);
  }

  /** Registers a project; false when it exists. */
  createProject(name: string): boolean {
    this.#reload();
    if (this.#data.projects[name]) return false;
    this.#data.projects[name] = { created: new Date().toISOString() };
    this.#save();
    return true;
  }

  /** Removes a project and revokes its keys; false when there is none. */
  deleteProject(name: string): boolean {
    this.#reload();
    if (!this.#data.projects[name]) return false;
    delete this.#data.projects[name];
    this.#data.keys = this.#data.keys.filter((key) => key.project !== name);
    this.#save();
    return true;
  }
}
