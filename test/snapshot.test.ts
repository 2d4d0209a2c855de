// Snapshots: index.snapshot() / database.snapshot() while another process
// commits, and the verified open ({ readOnly: true, verify: true }) that
// refuses damaged copies, files without a checksum, and works from read-only
// places and from /tmp after a copy.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArroyError, Database, Index } from '../src/index';
import { randomVectors } from './helpers/brute';
import { tempDir } from './helpers/tmp';
import { startWriter, waitFor } from './stress/harness';
// @ts-expect-error plain ESM helpers shared with the child processes
import { DIMENSIONS, distance, History, keyOf, vectorOf } from './stress/plan.mjs';
// @ts-expect-error plain ESM helpers shared with the child processes
import { expectGeneration, whichGeneration } from './stress/verify.mjs';

const TRAILER = 64;
const NOBODY = 65534;
const CHILD = path.join(__dirname, 'fixtures', 'snapshot-child.mjs');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function codeOf(body: () => unknown): string {
  try {
    body();
  } catch (error) {
    if (error instanceof ArroyError) return error.code;
    throw error;
  }
  return 'no error';
}

const queries = randomVectors(20, 12, 91).map((q) => Array.from(q));

async function smallIndex(file: string): Promise<Index> {
  const index = Index.open(file, { dimensions: 12, distance: 'cosine' });
  randomVectors(3000, 12, 90).forEach((v, i) => index.add(i, v));
  await index.build({ trees: 6, seed: 5 });
  for (let i = 0; i < 3000; i += 3) index.delete(i); // free pages for the compaction to leave out
  await index.build();
  return index;
}

function searches(index: Index) {
  return queries.map((q) => index.search(q, { k: 10 }));
}

describe('snapshot while another process commits', () => {
  it('holds exactly one committed generation, searches like the source, and is compacted', async () => {
    const dir = tempDir('snapshot-live');
    const file = path.join(dir, 'live.arroy');
    // The stress writer: a Database of a numeric and a string-keyed index,
    // built together, one generation after another, for 4 s.
    const writer = startWriter(file, 'crash', 0, 4);
    await waitFor(writer, (line) => line === 'committed 2');
    const db = Database.open(file, { readOnly: true });
    const history = new History();
    const seen = new Set<number>();
    const query = vectorOf(123456, 1);
    for (let round = 0; round < 6; round++) {
      const from = writer.committed;
      const snap = path.join(dir, `snap-${round}.arroy`);
      // Every other round, a snapshot of the index 'num' alone.
      const single = round % 2 === 1;
      const result = await (single ? db.index('num').snapshot(snap) : db.snapshot(snap));
      const to = writer.building;
      expect(result.bytes).toBe(fs.statSync(snap).size);
      expect(result.bytes % 512).toBe(TRAILER);
      const copy = Database.open(snap, { readOnly: true, verify: true });
      expect(copy.names()).toEqual(single ? ['num'] : ['num', 'str']);
      const num = copy.index('num');
      const candidates = Array.from({ length: to - from + 1 }, (_, i) => from + i);
      const g = whichGeneration(candidates, (c: number) => {
        expectGeneration(num, history, c);
        if (!single) expectGeneration(copy.index('str'), history, c, true);
      });
      seen.add(g);
      // Every neighbour is an item of generation g at its true distance, and
      // the exact search is the brute force over generation g.
      const alive = [...history.events.keys()].filter((id: number) => history.versionAt(id, g) >= 0);
      const truth = alive
        .map((id: number) => ({ id, d: distance(query, vectorOf(id, history.versionAt(id, g))) }))
        .sort((a: { id: number; d: number }, b: { id: number; d: number }) => a.d - b.d || a.id - b.id)
        .slice(0, 10);
      const exact = num.search(query, { k: 10, strategy: 'exact' });
      expect(exact.map((n) => n.id)).toEqual(truth.map((t: { id: number }) => t.id));
      for (const n of num.search(query, { k: 10 })) {
        expect(n.distance).toBeCloseTo(distance(query, vectorOf(n.id, history.versionAt(n.id, g))), 4);
      }
      if (!single) expect(copy.index('str').search(query, { k: 10, strategy: 'exact' }).map((n) => n.key)).toEqual(truth.map((t: { id: number }) => keyOf(t.id)));
      copy.close();
      await sleep(150);
    }
    // The writer kept committing while the snapshots were taken.
    expect(seen.size).toBeGreaterThan(1);
    expect(await writer.exited).toBe(0);

    // Once the writer is done: the snapshot searches exactly like the source.
    const final = path.join(dir, 'final.arroy');
    const result = await db.snapshot(final);
    expect(result.bytes).toBeLessThan(result.sourceBytes);
    const copy = Database.open(final, { readOnly: true, verify: true });
    for (const name of ['num', 'str']) {
      const source = db.index(name);
      const target = copy.index(name);
      expect(target.size).toBe(source.size);
      expect(target.trees).toBe(source.trees);
      target.check();
      for (let q = 0; q < 30; q++) {
        const v = vectorOf(1_000_000 + q, q);
        expect(target.search(v, { k: 10 })).toEqual(source.search(v, { k: 10 }));
      }
    }
    copy.close();
    // A snapshot of one index of the file holds that index alone, and
    // answers exactly as it does in the live file.
    const parts: number[] = [];
    for (const name of ['num', 'str']) {
      const only = await db.index(name).snapshot(path.join(dir, `only-${name}.arroy`));
      parts.push(only.bytes);
      const alone = Database.open(only.path, { readOnly: true, verify: true });
      expect(alone.names()).toEqual([name]);
      const target = alone.index(name);
      target.check();
      expect(target.size).toBe(db.index(name).size);
      for (let q = 0; q < 30; q++) {
        const v = vectorOf(2_000_000 + q, q);
        expect(target.search(v, { k: 10 })).toEqual(db.index(name).search(v, { k: 10 }));
      }
      alone.close();
    }
    expect(parts[0] + parts[1]).toBeLessThan(result.bytes + 2 * 4096 * 4);
    console.log(`snapshot: ${seen.size} distinct generations in 6 snapshots; final ${result.bytes} bytes (num alone ${parts[0]}, str alone ${parts[1]}) from a ${result.sourceBytes}-byte live file`);
    db.close();
  }, 60_000);
});

describe('verified opens', () => {
  it('reject flipped bytes anywhere, the trailer included, with ERR_ARROY_CORRUPT', async () => {
    const dir = tempDir('snapshot-damage');
    const index = await smallIndex(path.join(dir, 'live.arroy'));
    const snap = path.join(dir, 'snap.arroy');
    await index.snapshot(snap);
    const good = fs.readFileSync(snap);
    const content = good.length - TRAILER;
    const damaged = path.join(dir, 'damaged.arroy');
    // The control: an undamaged copy opens and searches like the source.
    fs.writeFileSync(damaged, good);
    const control = Index.open(damaged, { readOnly: true, verify: true });
    expect(searches(control)).toEqual(searches(index));
    control.close();
    const positions = [0, 4096 + 30, 8192 + 11, Math.floor(content / 2), content - 1, content, content + 13, content + 20, good.length - 1];
    for (const at of positions) {
      const bytes = Buffer.from(good);
      bytes[at] ^= 0x10;
      fs.writeFileSync(damaged, bytes);
      expect(codeOf(() => Index.open(damaged, { readOnly: true, verify: true })), `byte ${at}`).toBe('ERR_ARROY_CORRUPT');
      expect(codeOf(() => Database.open(damaged, { readOnly: true, verify: true })), `byte ${at}`).toBe('ERR_ARROY_CORRUPT');
    }
    // Cut short, or grown.
    fs.writeFileSync(damaged, good.subarray(0, good.length - 1));
    expect(codeOf(() => Index.open(damaged, { readOnly: true, verify: true }))).toBe('ERR_ARROY_CORRUPT');
    fs.writeFileSync(damaged, Buffer.concat([good, Buffer.from([0])]));
    expect(codeOf(() => Index.open(damaged, { readOnly: true, verify: true }))).toBe('ERR_ARROY_CORRUPT');
    index.close();
  });

  it('give ERR_ARROY_NO_CHECKSUM for a file that never had one, and need readOnly', async () => {
    const dir = tempDir('snapshot-plain');
    const file = path.join(dir, 'live.arroy');
    (await smallIndex(file)).close();
    expect(codeOf(() => Index.open(file, { readOnly: true, verify: true }))).toBe('ERR_ARROY_NO_CHECKSUM');
    expect(codeOf(() => Database.open(file, { readOnly: true, verify: true }))).toBe('ERR_ARROY_NO_CHECKSUM');
    // mdb_copy's copies carry none either; the trailer cut off leaves a plain LMDB file.
    const snap = path.join(dir, 'snap.arroy');
    const db = Database.open(file, { readOnly: true });
    await db.snapshot(snap, { compact: false });
    db.close();
    fs.truncateSync(snap, fs.statSync(snap).size - TRAILER);
    expect(codeOf(() => Index.open(snap, { readOnly: true, verify: true }))).toBe('ERR_ARROY_NO_CHECKSUM');
    expect(codeOf(() => Index.open(snap, { readOnly: true }))).toBe('no error');
    expect(codeOf(() => Index.open(file, { verify: true }))).toBe('ERR_ARROY_INVALID_ARGUMENT');
    expect(codeOf(() => Database.open(file, { verify: true }))).toBe('ERR_ARROY_INVALID_ARGUMENT');
    expect(codeOf(() => Index.open(path.join(dir, 'missing.arroy'), { readOnly: true, verify: true }))).toBe('ERR_ARROY_NOT_AN_INDEX');
    expect(codeOf(() => Index.open(file, { readOnly: true, verify: 'yes' as unknown as boolean }))).toBe('ERR_ARROY_INVALID_ARGUMENT');
  });
});

describe('snapshot places and options', () => {
  it('opens from a read-only directory (as /opt in a Lambda layer) and from /tmp after a copy', async () => {
    const build = tempDir('snapshot-src');
    const index = await smallIndex(path.join(build, 'live.arroy'));
    const expected = queries.map((q) => Array.from(index.searchIds(q, { k: 5 })).join(','));
    const layer = tempDir('snapshot-opt');
    const snap = path.join(layer, 'index.arroy');
    await index.snapshot(snap);
    index.close();
    const queryFile = path.join(layer, 'queries.json');
    fs.writeFileSync(queryFile, JSON.stringify(queries));
    fs.chmodSync(queryFile, 0o444);
    fs.chmodSync(snap, 0o444);
    fs.chmodSync(layer, 0o555);
    // As root permission bits mean nothing, so the child runs as nobody.
    const asRoot = process.getuid?.() === 0;
    const run = spawnSync(process.execPath, [CHILD, snap, 'default', queryFile], {
      encoding: 'utf8',
      timeout: 30_000,
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    expect(run.status, run.stderr).toBe(0);
    const fromLayer = JSON.parse(run.stdout);
    expect(fromLayer).toEqual({ ids: expected, lock: false });

    // A download to /tmp: a plain copy of the bytes opens the same way.
    const tmp = tempDir('snapshot-tmp');
    const downloaded = path.join(tmp, 'index.arroy');
    fs.copyFileSync(snap, downloaded);
    const copy = Index.open(downloaded, { readOnly: true, verify: true });
    expect(queries.map((q) => Array.from(copy.searchIds(q, { k: 5 })).join(','))).toEqual(expected);
    copy.check();
    copy.close();
  });

  it('LMDB tools read a snapshot: mdb_stat sees every database', async () => {
    const probe = spawnSync('mdb_stat', ['-V'], { encoding: 'utf8' });
    if (probe.error) return; // lmdb-utils not installed
    const dir = tempDir('snapshot-stat');
    const index = await smallIndex(path.join(dir, 'live.arroy'));
    const snap = path.join(dir, 'snap.arroy');
    await index.snapshot(snap);
    index.close();
    const stat = spawnSync('mdb_stat', ['-n', '-a', snap], { encoding: 'utf8' });
    expect(stat.status, stat.stderr).toBe(0);
    expect(stat.stdout).toContain('Status of arroy-ts/0/nodes');
  });

  it('an aborted snapshot rejects with ERR_ARROY_ABORTED and leaves no file; bad arguments throw', async () => {
    const dir = tempDir('snapshot-abort');
    const index = await smallIndex(path.join(dir, 'live.arroy'));
    const before = fs.readdirSync(dir).sort();
    const controller = new AbortController();
    const pending = index.snapshot(path.join(dir, 'snap.arroy'), { signal: controller.signal });
    controller.abort(new Error('stop'));
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArroyError);
    expect((error as ArroyError).code).toBe('ERR_ARROY_ABORTED');
    expect(((error as ArroyError).cause as Error).message).toBe('stop');
    await expect(index.snapshot(path.join(dir, 'snap.arroy'), { signal: controller.signal })).rejects.toMatchObject({ code: 'ERR_ARROY_ABORTED' });
    expect(fs.readdirSync(dir).sort()).toEqual(before);
    await expect(index.snapshot(index.path)).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT' });
    await expect(index.snapshot('')).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT' });
    await expect(index.snapshot(path.join(dir, 'x.arroy'), { compact: 1 as unknown as boolean })).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT' });
    await expect(index.snapshot(path.join(dir, 'no-such-dir', 'x.arroy'))).rejects.toMatchObject({ code: 'ERR_ARROY_STORAGE' });
    index.close();
    await expect(index.snapshot(path.join(dir, 'x.arroy'))).rejects.toMatchObject({ code: 'ERR_ARROY_CLOSED' });
  });
});

