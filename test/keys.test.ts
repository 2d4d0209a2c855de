// String keys: mapped to ids inside the file, committed with the vectors.
import { describe, expect, it } from 'vitest';
import { Database, Index } from '../src/index';
import { randomVectors } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

describe('string keys', () => {
  it('add, get, has, search and delete by key; results carry the key', async () => {
    const path = tempIndexPath();
    const index = Index.open(path, { dimensions: 3, distance: 'euclidean', keys: 'string' });
    expect(index.keys).toBe('string');
    index.add('doc-1', [0, 0, 0]);
    index.add('doc-2', [1, 0, 0]);
    index.add('ключ-3', [5, 5, 5]);
    expect(index.get('doc-1')).toBeUndefined(); // pending until build
    await index.build();
    expect(index.get('doc-2')).toEqual(new Float32Array([1, 0, 0]));
    expect(index.has('doc-1')).toBe(true);
    expect(index.has('nope')).toBe(false);
    const hits = index.search([0.9, 0, 0], { k: 2 });
    expect(hits.map((h) => h.key)).toEqual(['doc-2', 'doc-1']);
    expect(index.searchById('ключ-3', { k: 1 })).toEqual([{ id: expect.any(Number), key: 'ключ-3', distance: 0 }]);
    expect(index.distanceBetween('doc-1', 'doc-2')).toBeCloseTo(1, 6);
    expect([...index.keyNames()]).toEqual(['doc-1', 'doc-2', 'ключ-3']);

    index.delete('doc-1');
    index.add('doc-2', [2, 0, 0]); // overwrite keeps the key's id
    const idBefore = index.search([1, 0, 0], { k: 1 })[0].id;
    await index.build();
    expect(index.get('doc-1')).toBeUndefined();
    expect(index.search([2, 0, 0], { k: 1 })[0]).toMatchObject({ key: 'doc-2', id: idBefore, distance: 0 });
    index.check();
    index.close();

    // Reopen: the map is in the file.
    const again = Index.open(path, { readOnly: true });
    expect(again.keys).toBe('string');
    expect(again.get('doc-2')).toEqual(new Float32Array([2, 0, 0]));
    again.close();
  });

  it('refuses the other kind of key, and a different key kind on reopen', () => {
    const path = tempIndexPath();
    const keyed = Index.open(path, { dimensions: 2, distance: 'dot', keys: 'string' });
    expect(() => keyed.add(1, [1, 1])).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    expect(() => keyed.get(1)).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    expect(() => keyed.add('', [1, 1])).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    expect(() => keyed.add('x'.repeat(512), [1, 1])).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    keyed.close();
    expect(() => Index.open(path, { keys: 'number' })).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    const numeric = Index.open(tempIndexPath(), { dimensions: 2, distance: 'dot' });
    expect(() => numeric.add('a', [1, 1])).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' }));
    numeric.close();
  });

  it('survives many incremental batches with consistent maps', async () => {
    const db = Database.open(tempIndexPath());
    const index = db.index('docs', { dimensions: 6, distance: 'cosine', keys: 'string' });
    const vectors = randomVectors(400, 6, 4);
    const model = new Map<string, Float32Array>();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 40; i++) {
        const n = (round * 37 + i * 11) % 400;
        const key = `k${n}`;
        if ((round + i) % 3 === 0) {
          index.delete(key);
          model.delete(key);
        } else {
          index.add(key, vectors[(n + round) % 400]);
          model.set(key, vectors[(n + round) % 400]);
        }
      }
      await db.build();
      index.check();
      expect(index.size).toBe(model.size);
    }
    for (const [key, v] of model) expect(index.get(key)).toEqual(v);
    expect(new Set(index.keyNames())).toEqual(new Set(model.keys()));
    db.close();
  });
});
