/** Temporary index files, removed after each test file. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-ts-test-'));
let counter = 0;

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fresh path for an index file (the file does not exist yet). */
export function tempIndexPath(label = 'index'): string {
  return path.join(dir, `${label}-${++counter}.arroy`);
}
