// Opening from read-only places, and reader slots of crashed processes.
// Both need real processes: test/helpers/storage-child.cjs (loading dist/).
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { randomVectors } from './helpers/brute';
import { tempDir } from './helpers/tmp';

const CHILD = path.join(__dirname, 'helpers', 'storage-child.cjs');
const NOBODY = 65534;
const DIM = 12;
const vectors = randomVectors(500, DIM, 41);
const queries = randomVectors(10, DIM, 42).map((q) => Array.from(q));

async function buildIndex(file: string): Promise<number[][]> {
  const index = Index.open(file, { dimensions: DIM, distance: 'euclidean' });
  vectors.forEach((v, i) => index.add(i, v));
  await index.build({ trees: 5, seed: 3 });
  const results = queries.map((q) => index.search(q, { k: 5 }).map((hit) => hit.id as number));
  index.close();
  return results;
}

function child(args: string[], options: { uid?: number; gid?: number } = {}) {
  const run = spawnSync(process.execPath, [CHILD, ...args], { encoding: 'utf8', timeout: 30_000, ...options });
  expect(run.signal, run.stderr).toBeNull();
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

function mdbStatAvailable(): boolean {
  try {
    execFileSync('mdb_stat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('read-only places', () => {
  const asRoot = process.getuid?.() === 0;

  // The tests run as root, which ignores permission bits: the child runs as
  // nobody, in a directory it cannot write, on a file it cannot write.
  it.runIf(asRoot).each([
    ['without a lock file', false],
    ['with a lock file it cannot write', true],
  ])('readOnly opens and searches %s', async (_, keepLock) => {
    const dir = tempDir('readonly');
    const file = path.join(dir, 'index.arroy');
    const expected = await buildIndex(file);
    const queryFile = path.join(dir, 'queries.json');
    fs.writeFileSync(queryFile, JSON.stringify(queries));
    if (!keepLock) fs.rmSync(`${file}-lock`);
    else fs.chmodSync(`${file}-lock`, 0o444);
    fs.chmodSync(queryFile, 0o444);
    fs.chmodSync(file, 0o444);
    fs.chmodSync(dir, 0o555);
    // nobody must be able to reach dist/ and the addon.
    fs.accessSync(CHILD, fs.constants.R_OK);

    const result = child(['search', file, queryFile], { uid: NOBODY, gid: NOBODY });
    expect(result.ids).toEqual(expected);
    expect(fs.existsSync(`${file}-lock`)).toBe(keepLock);

    // Without readOnly: a typed error, not a crash.
    const writable = child(['open', file, '{}'], { uid: NOBODY, gid: NOBODY });
    expect(writable.code).toBe('ERR_ARROY_STORAGE');
    const missing = child(['open', path.join(dir, 'missing.arroy'), '{"readOnly":true}'], { uid: NOBODY, gid: NOBODY });
    expect(missing.code).toBe('ERR_ARROY_NOT_AN_INDEX');
  });
});

describe('stale readers', () => {
  function readerPids(file: string): number[] {
    // mdb_stat -r exits with status 1 even when it succeeds (it returns what
    // fputs returned): read its output.
    const run = spawnSync('mdb_stat', ['-n', '-r', file], { encoding: 'utf8' });
    expect(run.stdout).toContain('Reader Table Status');
    return run.stdout
      .split('\n')
      .map((line) => /^\s*(\d+)\s+[0-9a-f]+\s+(\d+|-)\s*$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
  }

  it('reader slots of killed processes are reclaimed by the next opener', async () => {
    const dir = tempDir('readers');
    const file = path.join(dir, 'index.arroy');
    const expected = await buildIndex(file);
    // This process keeps the environment open, so the lock table is not
    // simply reset by the next process to open the file.
    const held = Index.open(file, { readOnly: true });
    held.search(queries[0], { k: 1 });

    const children: ChildProcess[] = [];
    for (let i = 0; i < 4; i++) {
      const c = spawn(process.execPath, [CHILD, 'hold', file], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(c);
    }
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve, reject) => {
            let out = '';
            c.stdout!.on('data', (chunk: Buffer) => {
              out += chunk.toString();
              if (out.includes('ready')) resolve();
            });
            c.once('exit', (code, signal) => reject(new Error(`holder exited early (${code ?? signal})`)));
          }),
      ),
    );
    const pids = children.map((c) => c.pid!);
    await Promise.all(
      children.map((c) => {
        const exited = new Promise((resolve) => c.once('exit', resolve));
        c.kill('SIGKILL');
        return exited;
      }),
    );

    const stat = mdbStatAvailable();
    if (stat) {
      // The dead processes still hold their slots...
      const stale = readerPids(file);
      for (const pid of pids) expect(stale).toContain(pid);
    } else {
      console.warn('mdb_stat (lmdb-utils) is not installed: reader table not inspected');
    }
    // ... until a process opens the file.
    const opened = child(['open', file, '{"readOnly":true}']);
    expect(opened).toEqual({ ok: true });
    if (stat) {
      const after = readerPids(file);
      for (const pid of pids) expect(after).not.toContain(pid);
    }
    // Everything still works, here and in a new process.
    expect(queries.map((q) => held.search(q, { k: 5 }).map((hit) => hit.id))).toEqual(expected);
    const queryFile = path.join(dir, 'queries.json');
    fs.writeFileSync(queryFile, JSON.stringify(queries));
    expect(child(['search', file, queryFile]).ids).toEqual(expected);
    held.close();
  });
});
