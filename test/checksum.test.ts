// Silent damage to stored vectors (issue 11, case 9): every slot carries a
// CRC32C, every write path keeps it, check({ deep: true }) finds a flipped
// byte and names the item, and get() refuses to serve a damaged vector.
// Flips here land only inside slab values, which LMDB treats as opaque
// bytes, so they cannot upset LMDB itself and run in this process
// (test/corrupt.test.ts covers damage LMDB has to survive).
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArroyError, Database, Index } from '../src/index';
import { binding } from '../src/native';
import { randomVectors } from './helpers/brute';
import { random } from './helpers/random.mjs';
import { tempIndexPath } from './helpers/tmp';

const DIM = 24;
const SLOT_HEADER = 16;  // item_id | state | norm | checksum (native/core/format.h)
const corrupt = expect.objectContaining({ code: 'ERR_ARROY_CORRUPT' });

function thrown(fn: () => unknown): ArroyError | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ArroyError) return error;
    throw error;
  }
  return undefined;
}

function occurrences(haystack: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) out.push(at);
  return out;
}

async function builtFile(count: number): Promise<{ path: string; vectors: Float32Array[] }> {
  const path = tempIndexPath('pristine');
  const index = Index.open(path, { dimensions: DIM, distance: 'euclidean' });
  const vectors = randomVectors(count, DIM, 11);
  vectors.forEach((v, id) => index.add(id, v));
  await index.build({ trees: 4, seed: 5n });
  index.check({ deep: true });
  index.close();
  return { path, vectors };
}

describe('checksums of stored vectors', () => {
  it('check({ deep: true }) reports every flipped byte inside a vector, naming the item (1,000 seeds); get() refuses it', async () => {
    const { path, vectors } = await builtFile(1500);
    const pristine = fs.readFileSync(path);
    const next = random(2026);
    let missed = 0, served = 0, named = 0;
    const seeds = 1000;
    for (let seed = 0; seed < seeds; seed++) {
      // An item whose bytes occur exactly once in the file (a live slab, not a stale page).
      let id: number, at: number;
      do {
        id = Math.floor(next() * vectors.length);
        const bytes = Buffer.from(vectors[id].buffer);
        at = pristine.indexOf(bytes);
        if (at >= 0 && pristine.lastIndexOf(bytes) !== at) at = -1;
      } while (at < 0);
      const damaged = Buffer.from(pristine);
      // Most seeds hit the values; every fifth the slot header (id, state, norm, checksum).
      const offset = seed % 5 === 4 ? at - SLOT_HEADER + Math.floor(next() * SLOT_HEADER) : at + Math.floor(next() * 4 * DIM);
      damaged[offset] ^= 1 + Math.floor(next() * 255);
      const file = tempIndexPath('flipped');
      fs.writeFileSync(file, damaged);
      const index = Index.open(file, { readOnly: true });
      const deep = thrown(() => index.check({ deep: true }));
      if (deep?.code !== 'ERR_ARROY_CORRUPT') missed++;
      else if (deep.message.includes(`item ${id} in slot`)) named++;
      const got = thrown(() => index.get(id));
      if (got === undefined) served++;
      else expect(got.code).toBe('ERR_ARROY_CORRUPT');
      index.close();
      fs.rmSync(file);
    }
    expect({ missed, served, named }).toEqual({ missed: 0, served: 0, named: seeds });
  });

  it('lists every damaged item of a file, with string keys, and how many more', async () => {
    const path = tempIndexPath();
    const index = Index.open(path, { dimensions: DIM, distance: 'cosine', keys: 'string' });
    const vectors = randomVectors(300, DIM, 3);
    vectors.forEach((v, i) => index.add(`doc-${i}`, v));
    await index.build();
    index.close();
    const bytes = fs.readFileSync(path);
    const hit = [7, 150, 299];
    for (const i of hit) bytes[bytes.indexOf(Buffer.from(vectors[i].buffer)) + 5] ^= 0x40;
    fs.writeFileSync(path, bytes);
    const reopened = Index.open(path, { readOnly: true });
    const error = thrown(() => reopened.check({ deep: true }))!;
    expect(error.code).toBe('ERR_ARROY_CORRUPT');
    expect(error.message).toMatch(/^corrupt index file: 3 stored vectors fail their checksums: /);
    for (const i of hit) expect(error.message).toContain(`(key 'doc-${i}')`);
    // The undamaged ones are still served, the damaged ones are not.
    expect(reopened.get('doc-8')).toEqual(vectors[8]);
    expect(() => reopened.get('doc-150')).toThrow(corrupt);
    expect(() => reopened.searchById('doc-7')).toThrow(corrupt);
    expect(() => reopened.distanceBetween('doc-8', 'doc-299')).toThrow(corrupt);
    reopened.close();
    // The repair OPERATIONS.md gives: re-add the damaged items and build.
    const writer = Index.open(path);
    for (const i of hit) writer.add(`doc-${i}`, vectors[i]);
    await writer.build();
    writer.check({ deep: true });
    for (const i of hit) expect(writer.get(`doc-${i}`)).toEqual(vectors[i]);
    writer.close();
  });

  it('every write path keeps the checksums: deep checks stay clean', async () => {
    const path = tempIndexPath();
    const db = Database.open(path);
    const plain = db.index('plain', { dimensions: DIM, distance: 'dot' });
    const keyed = db.index('keyed', { dimensions: DIM, distance: 'manhattan', keys: 'string' });
    const next = random(9);
    const vector = () => Float32Array.from({ length: DIM }, () => next() * 2 - 1);
    for (let round = 0; round < 6; round++) {
      // Adds, updates of stored items, deletes (freed slots reused next round), a forced rebuild.
      for (let i = 0; i < 400; i++) plain.add(Math.floor(next() * 1000), vector());
      for (let i = 0; i < 150; i++) plain.delete(Math.floor(next() * 1000));
      for (let i = 0; i < 100; i++) keyed.add(`k${Math.floor(next() * 300)}`, vector());
      for (let i = 0; i < 40; i++) keyed.delete(`k${Math.floor(next() * 300)}`);
      await db.build({ rebuild: round === 3 });
      plain.check({ deep: true });
      keyed.check({ deep: true });
    }
    db.close();
    const bytes = fs.readFileSync(path);
    expect(bytes.length).toBeGreaterThan(0);
  });

  it('check() takes only an options object with a boolean deep', async () => {
    const { path } = await builtFile(10);
    const index = Index.open(path);
    index.check();
    index.check({});
    index.check({ deep: false });
    expect(() => index.check({ deep: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    expect(() => index.check([] as never)).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    index.close();
  });

  it('a flipped byte in the index metadata fails its checksum on open', async () => {
    const { path } = await builtFile(50);
    const index = Index.open(path);
    const seed = index.seed!;
    index.close();
    const bytes = fs.readFileSync(path);
    // The metadata holds the build seed (u64) right after next_key_id: find it and flip a byte of it.
    const seedBytes = Buffer.alloc(8);
    seedBytes.writeBigUInt64LE(seed);
    // Every copy: LMDB's copy-on-write leaves older pages of the record behind.
    const copies = occurrences(bytes, seedBytes);
    expect(copies.length).toBeGreaterThan(0);
    for (const at of copies) bytes[at] ^= 0x01;
    fs.writeFileSync(path, bytes);
    const error = thrown(() => Index.open(path).size);
    expect(error?.code).toBe('ERR_ARROY_CORRUPT');
    expect(error?.message).toMatch(/metadata fails its checksum/);
  });
});

describe('format versions', () => {
  it('a file of an older format version names the version and how to rebuild', async () => {
    const { path } = await builtFile(20);
    const bytes = fs.readFileSync(path);
    const version = Buffer.alloc(4);
    version.writeUInt32LE(binding.formatVersion);
    const header = Buffer.concat([Buffer.from('arroy-ts'), version]);
    const copies = occurrences(bytes, header);
    expect(copies.length).toBeGreaterThan(0);
    for (const at of copies) bytes.writeUInt32LE(binding.formatVersion - 1, at + 8);
    fs.writeFileSync(path, bytes);
    for (const open of [() => Index.open(path), () => Index.open(path, { readOnly: true }), () => Database.open(path)]) {
      const error = thrown(open);
      expect(error?.code).toBe('ERR_ARROY_FORMAT_VERSION');
      expect(error?.message).toContain(`format version ${binding.formatVersion - 1}, this build reads version ${binding.formatVersion}`);
      expect(error?.message).toMatch(/rebuild it/);
    }
  });
});
