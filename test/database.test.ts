// Several named indexes in one file: listing, dropping, and atomic commits
// across indexes.
import { describe, expect, it } from 'vitest';
import { ArroyError, Database, Index } from '../src/index';
import { randomVectors } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

describe('Database', () => {
  it('keeps named indexes with their own dimensions and distances apart', async () => {
    const path = tempIndexPath();
    const db = Database.open(path);
    const words = db.index('words', { dimensions: 4, distance: 'cosine' });
    const images = db.index('images', { dimensions: 3, distance: 'euclidean' });
    expect(db.index('words')).toBe(words);
    words.add(1, [1, 0, 0, 0]);
    images.add(1, [5, 5, 5]);
    images.add(2, [0, 0, 0]);
    const results = await db.build();
    expect(Object.keys(results).sort()).toEqual(['images', 'words']);
    expect([results.words.items, results.images.items]).toEqual([1, 2]);
    expect(db.names()).toEqual(['words', 'images']);
    expect(words.get(1)).toEqual(new Float32Array([1, 0, 0, 0]));
    expect(images.search([1, 1, 1], { k: 1 })[0].id).toBe(2);
    expect(() => db.index('words', { dimensions: 5 })).toThrow(expect.objectContaining({ code: 'ERR_ARROY_DIMENSION_MISMATCH' }));
    db.close();
    // Index.open reaches the same data by name.
    const again = Index.open(path, { name: 'images', readOnly: true });
    expect(again.size).toBe(2);
    again.close();
  });

  it('commits several indexes in one transaction, or none of them', async () => {
    const path = tempIndexPath();
    const db = Database.open(path);
    const a = db.index('a', { dimensions: 16, distance: 'euclidean' });
    const b = db.index('b', { dimensions: 16, distance: 'dot' });
    randomVectors(30000, 16, 1).forEach((v, i) => a.add(i, v));
    randomVectors(10, 16, 2).forEach((v, i) => b.add(i, v));
    const controller = new AbortController();
    const failed = db.build({ trees: 50, threads: 1, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(failed).rejects.toMatchObject({ code: 'ERR_ARROY_ABORTED' });
    const observer = Index.open(path, { name: 'b' });
    expect([a.size, b.size, observer.size]).toEqual([0, 0, 0]);
    expect([a.pendingCount, b.pendingCount]).toEqual([30000, 10]);
    await db.build({ trees: 2 });
    expect([a.size, observer.size]).toEqual([30000, 10]);
    observer.close();
    db.close();
  });

  it('drops an index: its data goes, its name can be reused, open handles fail', async () => {
    const path = tempIndexPath();
    const db = Database.open(path);
    const keep = db.index('keep', { dimensions: 2, distance: 'euclidean' });
    const gone = db.index('gone', { dimensions: 2, distance: 'euclidean' });
    keep.add(1, [1, 1]);
    gone.add(1, [2, 2]);
    await db.build();
    const elsewhere = Index.open(path, { name: 'gone' });
    expect(elsewhere.size).toBe(1);
    expect(db.drop('gone')).toBe(true);
    expect(db.drop('gone')).toBe(false);
    expect(db.names()).toEqual(['keep']);
    expect(() => gone.size).toThrow(expect.objectContaining({ code: 'ERR_ARROY_NOT_AN_INDEX' }));
    expect(() => elsewhere.size).toThrow(expect.objectContaining({ code: 'ERR_ARROY_NOT_AN_INDEX' }));
    // A new index under the old name starts empty, with its own parameters.
    const reborn = db.index('gone', { dimensions: 3, distance: 'cosine' });
    expect(reborn.size).toBe(0);
    expect(() => elsewhere.search([1, 1])).toThrow(ArroyError);
    reborn.add(7, [1, 2, 3]);
    await db.build();
    expect(reborn.get(7)).toEqual(new Float32Array([1, 2, 3]));
    expect(keep.get(1)).toEqual(new Float32Array([1, 1]));
    keep.check();
    reborn.check();
    elsewhere.close();
    db.close();
  });

  it('refuses writes when read-only, and use after close', async () => {
    const path = tempIndexPath();
    const rw = Database.open(path);
    rw.index('x', { dimensions: 2, distance: 'dot' });
    rw.close();
    const ro = Database.open(path, { readOnly: true });
    expect(ro.names()).toEqual(['x']);
    expect(() => ro.index('y', { dimensions: 2, distance: 'dot' })).toThrow(ArroyError);
    ro.close();
    expect(() => ro.names()).toThrow(expect.objectContaining({ code: 'ERR_ARROY_CLOSED' }));
  });
});
