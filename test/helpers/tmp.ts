/** Temporary index files and directories, removed after each test file. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-ts-test-'));
let counter = 0;
const dirs: string[] = [];

afterAll(() => {
  // Tests make some directories read-only (read-only places); give write access back first.
  for (const made of dirs) fs.chmodSync(made, 0o755);
  for (const made of dirs) fs.rmSync(made, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh path for an index file (the file does not exist yet). */
export function tempIndexPath(label = 'index'): string {
  return path.join(dir, `${label}-${++counter}.arroy`);
}

/** A fresh directory of its own under the system's temporary directory. */
export function tempDir(label: string): string {
  const made = fs.mkdtempSync(path.join(os.tmpdir(), `arroy-ts-${label}-`));
  dirs.push(made);
  return made;
}
