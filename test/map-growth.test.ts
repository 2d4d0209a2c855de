// The memory map starts as small as mapSize says and grows: when a build
// fills it (the build starts over in a larger map), and when another process
// has grown the file past this process's map.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database, Index } from '../src/index';
import { tempIndexPath } from './helpers/tmp';

const DIM = 32;
const MiB = 1 << 20;
const vectorFor = (id: number) => Float32Array.from({ length: DIM }, (_, j) => (j === 0 ? id / 16 : ((id * 31 + j * 17) % 997) / 997));

function addRange(index: Index, from: number, count: number) {
  for (let id = from; id < from + count; id++) index.add(id, vectorFor(id));
}

describe('map growth', () => {
  it('grows a full map in-process, for full and incremental builds, with readers open', async () => {
    const file = tempIndexPath('grow');
    const writer = Index.open(file, { dimensions: DIM, distance: 'euclidean', mapSize: MiB });
    addRange(writer, 0, 100);
    await writer.build({ seed: 1 });
    const reader = Index.open(file, { mapSize: MiB });
    const before = reader.search(vectorFor(5), { k: 3 });
    expect(before[0]).toEqual({ id: 5, distance: 0 });

    addRange(writer, 100, 7900); // about 1.3 MB of vectors alone
    const result = await writer.build({ seed: 1 });
    expect(result.items).toBe(8000);
    expect(fs.statSync(file).size).toBeGreaterThan(MiB);
    // The reader's cached addresses belonged to the old map.
    expect(reader.size).toBe(8000);
    expect(reader.search(vectorFor(7777), { k: 1 })[0]).toEqual({ id: 7777, distance: 0 });
    expect(reader.get(4321)).toEqual(vectorFor(4321));
    reader.check();

    addRange(writer, 8000, 8000);
    for (let id = 0; id < 500; id++) writer.delete(id);
    const incremental = await writer.build();
    expect(incremental.incremental).toBe(true);
    expect(incremental.items).toBe(15500);
    expect(reader.search(vectorFor(15999), { k: 1 })[0]).toEqual({ id: 15999, distance: 0 });
    reader.check();
    writer.close();
    reader.close();
  });

  it('grows the map for builds of several indexes together', async () => {
    const file = tempIndexPath('grow-db');
    const db = Database.open(file, { mapSize: MiB });
    const a = db.index('a', { dimensions: DIM, distance: 'euclidean' });
    const b = db.index('b', { dimensions: DIM, distance: 'cosine', keys: 'string' });
    addRange(a, 0, 5000);
    for (let id = 1; id <= 5000; id++) b.add(`k${id}`, vectorFor(id));
    const results = await db.build({ seed: 2 });
    expect(results.a.items).toBe(5000);
    expect(results.b.items).toBe(5000);
    a.check();
    b.check();
    db.close();
  });

  it('follows a file another process grew, then reads and writes it', async () => {
    const file = tempIndexPath('grow-other');
    const mine = Index.open(file, { dimensions: DIM, distance: 'euclidean', mapSize: MiB });
    addRange(mine, 0, 200);
    await mine.build({ seed: 3 });
    expect(mine.search(vectorFor(7), { k: 1 })[0].id).toBe(7);

    const child = path.join(__dirname, 'fixtures', 'grow-child.mjs');
    const out = JSON.parse(execFileSync(process.execPath, [child, file, '200', '9800', String(MiB)], { encoding: 'utf8' }));
    expect(out.size).toBe(10000);
    expect(fs.statSync(file).size).toBeGreaterThan(1.5 * MiB);

    expect(mine.size).toBe(10000);
    expect(mine.get(9999)).toEqual(vectorFor(9999));
    expect(mine.search(vectorFor(8888), { k: 1 })[0]).toEqual({ id: 8888, distance: 0 });
    mine.check();
    addRange(mine, 10000, 6000);
    const result = await mine.build();
    expect(result.items).toBe(16000);
    expect(mine.search(vectorFor(15000), { k: 1 })[0]).toEqual({ id: 15000, distance: 0 });
    mine.check();
    mine.close();
  });

  it('rejects a bad mapSize with a typed error', () => {
    const file = tempIndexPath('bad-map');
    for (const mapSize of [0, 1000, MiB - 1, MiB + 0.5, 2 ** 50, Number.NaN, '1048576' as unknown as number]) {
      expect(() => Index.open(file, { dimensions: 4, distance: 'euclidean', mapSize })).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
      expect(() => Database.open(file, { mapSize })).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    }
    Index.open(file, { dimensions: 4, distance: 'euclidean', mapSize: MiB }).close();
  });
});
