// Corrupt, truncated and foreign files give a typed ArroyError, never a
// crash. Every damaged file is opened in a child process (test/helpers/
// storage-child.cjs, which loads dist/), so that a crash shows up as a
// signal exit naming the file instead of ending the test runner.
import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { randomVectors } from './helpers/brute';

const CHILD = path.join(__dirname, 'helpers', 'storage-child.cjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-ts-corrupt-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function writeCase(bytes: Uint8Array, label: string): string {
  const file = path.join(dir, `${label}-${++counter}.arroy`);
  fs.writeFileSync(file, bytes);
  return file;
}

interface Case {
  path: string;
  name?: string;
  readOnly: boolean;
  query: number[];
  ids: number[];
  what: string;
}

interface Report {
  opened: number;
  ok: number;
  codes: string[];
  unexpected: string[];
}

// Runs the cases in one child after another; when a child dies, the case
// without a report is the culprit and the rest run in a new child.
function exercise(cases: Case[]): Report[] {
  const reports: Report[] = [];
  let from = 0;
  while (from < cases.length) {
    const batch = cases.slice(from);
    const list = path.join(dir, `cases-${++counter}.json`);
    fs.writeFileSync(list, JSON.stringify(batch));
    const child = spawnSync(process.execPath, [CHILD, 'exercise', list], { encoding: 'utf8', timeout: 60_000 });
    const lines = child.stdout.split('\n').filter((line) => line.startsWith('{'));
    for (const line of lines) reports.push(JSON.parse(line) as Report);
    from += lines.length;
    if (from < cases.length) {
      const culprit = cases[from];
      expect.fail(
        `child ended (${child.signal ?? `status ${child.status}`}) on ${culprit.what} (${culprit.path}):\n${child.stderr.slice(-2000)}`,
      );
    }
  }
  return reports;
}

function expectTyped(reports: Report[], cases: Case[]) {
  reports.forEach((r, i) => expect(r.unexpected, cases[i].what).toEqual([]));
}

// ---------------------------------------------------------------- LMDB pages
// Enough of LMDB 0.9's page layout to find the bytes of stored values: a leaf
// page (flag P_LEAF 0x02) holds u16 node offsets from byte 16 to its `lower`
// bound (u16 at 12); a node is lo u16 | hi u16 (data size) | flags u16 |
// key size u16 | key | data. F_BIGDATA (0x01) data is the number (u64) of
// an overflow page, whose data begins after its 16-byte header. F_SUBDATA
// (0x02) data is LMDB's own record of a named database: skipped.
function valueRanges(file: Uint8Array, pageSize: number): Array<[number, number]> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const ranges: Array<[number, number]> = [];
  const pages = Math.floor(file.length / pageSize);
  for (let p = 2; p < pages; p++) {
    const base = p * pageSize;
    if (Number(view.getBigUint64(base, true)) !== p) continue;
    const flags = view.getUint16(base + 10, true);
    if ((flags & 0x02) === 0 || (flags & 0x04) !== 0) continue;
    const lower = view.getUint16(base + 12, true);
    if (lower < 16 || lower > pageSize) continue;
    for (let at = 16; at + 2 <= lower; at += 2) {
      const node = base + view.getUint16(base + at, true);
      if (node + 8 > base + pageSize) continue;
      const size = view.getUint16(node, true) | (view.getUint16(node + 2, true) << 16);
      const nodeFlags = view.getUint16(node + 4, true);
      const keySize = view.getUint16(node + 6, true);
      const data = node + 8 + keySize;
      if (nodeFlags & 0x02) continue;
      if (nodeFlags & 0x01) {
        if (data + 8 > file.length) continue;
        const overflow = Number(view.getBigUint64(data, true));
        const start = overflow * pageSize + 16;
        if (overflow >= 2 && start + size <= file.length) ranges.push([start, size]);
      } else if (data + size <= base + pageSize) {
        ranges.push([data, size]);
      }
    }
  }
  return ranges;
}

// ---------------------------------------------------------------- fixtures

const SMALL = 8; // one-page slabs
const LARGE = 300; // slabs over several overflow pages
let pristine: Uint8Array;
let pageSize: number;
const smallVectors = randomVectors(300, SMALL, 31);
const largeVectors = randomVectors(40, LARGE, 32);
const smallQuery = Array.from(randomVectors(1, SMALL, 33)[0]);
const largeQuery = Array.from(randomVectors(1, LARGE, 34)[0]);

function casesFor(file: string, readOnly: boolean, what: string): Case[] {
  return [
    { path: file, name: 'small', readOnly, query: smallQuery, ids: [0, 7, 150, 299], what: `${what} (small)` },
    { path: file, name: 'large', readOnly, query: largeQuery, ids: [0, 13, 39], what: `${what} (large)` },
  ];
}

beforeAll(async () => {
  const file = path.join(dir, 'pristine.arroy');
  const small = Index.open(file, { name: 'small', dimensions: SMALL, distance: 'euclidean' });
  const large = Index.open(file, { name: 'large', dimensions: LARGE, distance: 'cosine' });
  smallVectors.forEach((v, i) => small.add(i, v));
  largeVectors.forEach((v, i) => large.add(i, v));
  await small.build({ trees: 6, seed: 1 });
  await large.build({ trees: 3, seed: 1 });
  // A second round, so the file also holds free slots and LMDB free pages.
  for (let i = 0; i < 300; i += 7) small.delete(i);
  await small.build({ seed: 2 });
  small.close();
  large.close();
  pristine = new Uint8Array(fs.readFileSync(file));
  pageSize = new DataView(pristine.buffer, pristine.byteOffset).getUint32(40, true);
}, 60_000);

function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

describe('damaged files', () => {
  it('the pristine file opens and answers in a child', () => {
    const cases = [...casesFor(writeCase(pristine, 'pristine'), true, 'pristine'), ...casesFor(writeCase(pristine, 'pristine'), false, 'pristine')];
    const reports = exercise(cases);
    expectTyped(reports, cases);
    for (const r of reports) {
      expect(r.codes).toEqual([]);
      expect(r.opened).toBe(1);
    }
  });

  it('random bytes are not an index', () => {
    const random = seeded(7);
    const sizes = [1, 19, 100, 151, 152, pageSize - 1, pageSize, pageSize + 200, 2 * pageSize, 3 * pageSize + 17, 10 * pageSize];
    const cases: Case[] = [];
    sizes.forEach((size, i) => {
      const bytes = new Uint8Array(size).map(() => Math.floor(random() * 256));
      cases.push(...casesFor(writeCase(bytes, 'random'), i % 2 === 0, `${size} random bytes`).slice(0, 1));
    });
    const reports = exercise(cases);
    expectTyped(reports, cases);
    reports.forEach((r, i) => expect(r.codes, cases[i].what).toEqual(['ERR_ARROY_NOT_AN_INDEX']));
  });

  it('a truncated index is corrupt', () => {
    const cuts = [20, 100, 152, pageSize - 1, pageSize, pageSize + 151, pageSize + 152, 2 * pageSize - 1, 2 * pageSize, 3 * pageSize + 5];
    for (let at = 4 * pageSize; at < pristine.length; at += Math.max(pageSize, Math.floor(pristine.length / 12))) cuts.push(at);
    cuts.push(pristine.length - pageSize, pristine.length - 1);
    const cases: Case[] = [];
    cuts.forEach((cut, i) => cases.push(...casesFor(writeCase(pristine.subarray(0, cut), 'cut'), i % 2 === 0, `cut at ${cut} of ${pristine.length}`)));
    const reports = exercise(cases);
    expectTyped(reports, cases);
    reports.forEach((r, i) => expect(r.codes, cases[i].what).toEqual(['ERR_ARROY_CORRUPT']));
  });

  it('an LMDB file of another program is not an index', () => {
    const files: string[] = [];
    let mdbLoad = true;
    try {
      execFileSync('mdb_load', ['-V'], { stdio: 'ignore' });
    } catch {
      mdbLoad = false;
    }
    if (mdbLoad) {
      // One with records in LMDB's main database, one with a named database.
      const plain = path.join(dir, 'foreign-plain.mdb');
      const named = path.join(dir, 'foreign-named.mdb');
      const records = Array.from({ length: 200 }, (_, i) => ` key${i}\n value-${i}-${'x'.repeat(i % 50)}\n`).join('');
      execFileSync('mdb_load', ['-n', plain], { input: `VERSION=3\nformat=print\ntype=btree\nHEADER=END\n${records}DATA=END\n` });
      execFileSync('mdb_load', ['-n', '-s', 'other', named], {
        input: `VERSION=3\nformat=print\ntype=btree\nHEADER=END\n${records}DATA=END\n`,
      });
      files.push(plain, named);
    } else {
      console.warn('mdb_load (lmdb-utils) is not installed: only the core-made foreign file is tested');
    }
    const cases: Case[] = [];
    for (const file of files) {
      cases.push(...casesFor(file, true, path.basename(file)).slice(0, 1));
      cases.push(...casesFor(file, false, path.basename(file)).slice(0, 1));
    }
    // An arroy-ts file whose header record was removed (bytes of the key changed).
    const bytes = pristine.slice();
    const header = Buffer.from('header');
    let found = 0;
    for (let at = Buffer.from(bytes).indexOf(header, 2 * pageSize); at > 0; at = Buffer.from(bytes).indexOf(header, at + 1)) {
      bytes[at] = 'H'.charCodeAt(0);
      found++;
    }
    expect(found).toBeGreaterThan(0);
    cases.push(...casesFor(writeCase(bytes, 'no-header'), true, 'no header record').slice(0, 1));
    const reports = exercise(cases);
    expectTyped(reports, cases);
    reports.forEach((r, i) => expect(r.codes, cases[i].what).toEqual(['ERR_ARROY_NOT_AN_INDEX']));
  });

  it('flipped bytes in stored values (nodes, slabs, ids, metadata) give typed errors', () => {
    const ranges = valueRanges(pristine, pageSize);
    // Sanity: the scan finds the slabs of the large index (values of many pages).
    expect(ranges.some(([, size]) => size > 2 * pageSize)).toBe(true);
    expect(ranges.length).toBeGreaterThan(50);
    const cases: Case[] = [];
    for (let seed = 1; seed <= 120; seed++) {
      const random = seeded(seed * 7919);
      const bytes = pristine.slice();
      const flips: string[] = [];
      const count = 1 + Math.floor(random() * 8);
      for (let f = 0; f < count; f++) {
        const [start, size] = ranges[Math.floor(random() * ranges.length)];
        const at = start + Math.floor(random() * size);
        if (random() < 0.5) bytes[at] ^= 1 << Math.floor(random() * 8);
        else bytes[at] = Math.floor(random() * 256);
        flips.push(String(at));
      }
      cases.push(...casesFor(writeCase(bytes, 'flipped'), seed % 3 !== 0, `seed ${seed}: bytes ${flips.join(', ')}`));
    }
    const reports = exercise(cases);
    expectTyped(reports, cases);
    const codes = new Set(reports.flatMap((r) => r.codes));
    for (const code of codes) expect(code).toMatch(/^ERR_ARROY_/);
    // Most damage is noticed somewhere.
    expect(reports.filter((r) => r.codes.length > 0).length).toBeGreaterThan(0);
  });

  it('a stored value whose size runs past the end of the file is corrupt', () => {
    // LMDB hands out a value's size from its node header unchecked; arroy-ts
    // refuses values that do not lie inside the mapped file.
    const cases: Case[] = [];
    const view = new DataView(pristine.buffer, pristine.byteOffset, pristine.byteLength);
    for (let p = 2; p * pageSize < pristine.length && cases.length < 40; p++) {
      const base = p * pageSize;
      if (Number(view.getBigUint64(base, true)) !== p || (view.getUint16(base + 10, true) & 0x06) !== 0x02) continue;
      const lower = view.getUint16(base + 12, true);
      for (let at = 16; at + 2 <= lower; at += 2) {
        const node = base + view.getUint16(base + at, true);
        if (node + 8 > base + pageSize || (view.getUint16(node + 4, true) & 0x03) !== 0) continue;
        const bytes = pristine.slice();
        new DataView(bytes.buffer).setUint16(node + 2, 0x7fff, true); // data size += 0x7fff0000
        cases.push(...casesFor(writeCase(bytes, 'oversized'), p % 2 === 0, `page ${p} node at ${node - base}: size + 2 GiB`));
        break;
      }
    }
    expect(cases.length).toBeGreaterThan(5);
    const reports = exercise(cases);
    expectTyped(reports, cases);
    expect(reports.filter((r) => r.codes.includes('ERR_ARROY_CORRUPT')).length).toBeGreaterThan(0);
  });

  it('damaged LMDB meta pages give typed errors', () => {
    const cases: Case[] = [];
    const random = seeded(99);
    // Every u32 of both meta records set to hostile values, the page size included.
    const pages = Math.floor(pristine.length / pageSize);
    const hostile = [0, 1, 3, 0xffffffff, 0x7fffffff, pages - 1, pages, pages + 1000, 4096 * 3];
    for (const meta of [0, 1]) {
      for (let field = 16; field < 152; field += 4) {
        const value = hostile[Math.floor(random() * hostile.length)];
        const bytes = pristine.slice();
        new DataView(bytes.buffer).setUint32(meta * pageSize + field, value >>> 0, true);
        cases.push(...casesFor(writeCase(bytes, 'meta'), field % 8 === 0, `meta ${meta} u32 at ${field} = ${value}`).slice(0, 1));
      }
    }
    const reports = exercise(cases);
    expectTyped(reports, cases);
  });
});
