// Hostile names and mistyped input (issue 11, cases 5-8 and the smaller
// list): each is refused with a typed error instead of being quietly
// reinterpreted. The native handles are driven directly too, so the binding's
// own checks are proven, not only the TypeScript layer's.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArroyError, Database, Filter, Index } from '../src/index';
import { binding } from '../src/native';
import { tempIndexPath } from './helpers/tmp';

const invalid = expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT' });

function typedError(fn: () => unknown): ArroyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ArroyError);
    return error as ArroyError;
  }
  throw new Error('expected an ArroyError, nothing was thrown');
}

describe('paths with a NUL', () => {
  it('are refused by Index.open, Database.open and the binding, and open no other file', () => {
    const real = tempIndexPath('real');
    Index.open(real, { dimensions: 2, distance: 'euclidean' }).close();
    const hostile = `${real}\0.other`;
    expect(() => Index.open(hostile)).toThrow(invalid);
    expect(() => Index.open(hostile, { dimensions: 2, distance: 'euclidean' })).toThrow(invalid);
    expect(() => Database.open(hostile)).toThrow(invalid);
    expect(() => new binding.IndexHandle(hostile, {})).toThrow(invalid);
    expect(() => binding.listIndexes(hostile, {})).toThrow(invalid);
    expect(() => binding.dropIndex(hostile, {}, 'default')).toThrow(invalid);
    expect(typedError(() => Index.open(hostile)).message).toMatch(/NUL/);
    expect(fs.existsSync(`${real}`)).toBe(true);
  });
});

describe('lone surrogates', () => {
  const lone = ['x\uD800', 'x\uDBFF', 'x\uDC00', '\uDFFFy', 'a\uDC00\uD800b'];

  it('in string keys are refused everywhere a key goes in; pairs are fine', async () => {
    const index = Index.open(tempIndexPath(), { dimensions: 2, distance: 'euclidean', keys: 'string' });
    for (const key of lone) {
      expect(() => index.add(key, [1, 2])).toThrow(invalid);
      expect(() => index.delete(key)).toThrow(invalid);
      expect(() => index.get(key)).toThrow(invalid);
      expect(() => index.has(key)).toThrow(invalid);
      expect(() => new Filter([key])).toThrow(invalid);
    }
    const pair = 'x\uD83D\uDE00';  // an emoji: a valid surrogate pair
    index.add(pair, [1, 2]);
    index.add('x\uFFFD', [3, 4]);
    await index.build();
    expect(index.size).toBe(2);
    expect([...index.keyNames()].sort()).toEqual([pair, 'x\uFFFD'].sort());
    expect(index.search([1, 2], { k: 1, filter: new Filter([pair]) })[0].key).toBe(pair);
    index.close();
  });

  it('are refused by the binding itself, so no caller can alias two keys', () => {
    const handle = new binding.IndexHandle(tempIndexPath(), { dimensions: 2, distance: 'euclidean', keys: 'string' });
    for (const key of lone) {
      expect(() => handle.addKey(key, new Float32Array([1, 2]))).toThrow(invalid);
      expect(() => handle.removeKey(key)).toThrow(invalid);
      expect(() => handle.idOfKey(key)).toThrow(invalid);
      expect(() => new binding.FilterHandle(new Uint32Array(0), [key])).toThrow(invalid);
    }
    expect(() => new binding.IndexHandle(tempIndexPath(), { dimensions: 2, distance: 'euclidean', name: 'x\uD800' })).toThrow(invalid);
    handle.close();
  });

  it('in index names and paths are refused', () => {
    const path = tempIndexPath();
    for (const name of lone) expect(() => Index.open(path, { dimensions: 2, distance: 'cosine', name })).toThrow(invalid);
    const db = Database.open(path);
    for (const name of lone) {
      expect(() => db.index(name, { dimensions: 2, distance: 'cosine' })).toThrow(invalid);
      expect(() => db.drop(name)).toThrow(invalid);
    }
    expect(db.names()).toEqual([]);
    db.close();
    expect(() => Index.open(`${path}\uD800`, { dimensions: 2, distance: 'cosine' })).toThrow(invalid);
  });
});

describe('filters of the wrong kind', () => {
  it('strings on a numeric index and numbers on a string-keyed index are refused, not empty', async () => {
    const numeric = Index.open(tempIndexPath(), { dimensions: 2, distance: 'euclidean' });
    for (let i = 0; i < 20; i++) numeric.add(i, [i, 1]);
    await numeric.build();
    for (const filter of [['a', 'b'], new Filter(['a']), [1, 'b']] as unknown[]) {
      expect(() => numeric.search([1, 1], { filter: filter as string[] })).toThrow(invalid);
      expect(() => numeric.searchById(1, { filter: filter as string[], strategy: 'exact' })).toThrow(invalid);
    }
    expect(numeric.search([1, 1], { k: 2, filter: [3, 4] }).map((n) => n.id)).toEqual([3, 4]);
    numeric.close();

    const keyed = Index.open(tempIndexPath(), { dimensions: 2, distance: 'euclidean', keys: 'string' });
    for (let i = 0; i < 20; i++) keyed.add(`k${i}`, [i, 1]);
    await keyed.build();
    for (const filter of [[1, 2], new Uint32Array([1]), new Filter([0, 'k1'])] as unknown[]) {
      expect(() => keyed.search([1, 1], { filter: filter as number[] })).toThrow(invalid);
    }
    expect(typedError(() => keyed.search([1, 1], { filter: [1] })).message).toMatch(/string keys/);
    expect(keyed.search([1, 1], { k: 1, filter: ['k3'] })[0].key).toBe('k3');
    keyed.close();
  });
});

describe('a dropped index', () => {
  it('throws ERR_ARROY_NOT_AN_INDEX from the Index its Database handed out, as from any other', async () => {
    const path = tempIndexPath();
    const db = Database.open(path);
    const mine = db.index('a', { dimensions: 2, distance: 'euclidean' });
    mine.add(1, [1, 1]);
    await db.build();
    const other = Index.open(path, { name: 'a' });
    expect(db.drop('a')).toBe(true);
    const notAnIndex = expect.objectContaining({ code: 'ERR_ARROY_NOT_AN_INDEX' });
    for (const index of [mine, other]) {
      expect(() => index.get(1)).toThrow(notAnIndex);
      expect(() => index.search([1, 1])).toThrow(notAnIndex);
      expect(() => index.size).toThrow(notAnIndex);
    }
    mine.close();  // still a no-op, and still dropped
    expect(() => mine.add(2, [1, 1])).toThrow(notAnIndex);
    // A new index of the same name is a new Index object.
    const again = db.index('a', { dimensions: 2, distance: 'euclidean' });
    expect(again).not.toBe(mine);
    expect(again.size).toBe(0);
    other.close();
    db.close();
  });

  it('stays merely closed when drop() found nothing to drop', () => {
    const db = Database.open(tempIndexPath());
    expect(db.drop('none')).toBe(false);
    db.close();
  });
});

describe('clear messages', () => {
  it('an array given as options is named as such', () => {
    const error = typedError(() => Index.open(tempIndexPath(), [8, 'dot'] as never));
    expect(error.code).toBe('ERR_ARROY_INVALID_ARGUMENT');
    expect(error.message).toMatch(/options must be an options object .*got an array of length 2/);
    expect(() => Database.open(tempIndexPath(), [] as never)).toThrow(/options object/);
  });

  it('both bucketCapacity checks say the same range, from limits.h', async () => {
    const index = Index.open(tempIndexPath(), { dimensions: 2, distance: 'euclidean' });
    index.add(1, [1, 1]);
    const { minBucketCapacity: min, maxBucketCapacity: max } = binding.limits;
    const range = new RegExp(`bucketCapacity must be an integer from ${min} to ${max}, got 1$`);
    await expect(index.build({ bucketCapacity: 1 })).rejects.toThrow(range);
    // The core's own check, without the TypeScript one in front.
    const handle = new binding.IndexHandle(tempIndexPath(), { dimensions: 2, distance: 'euclidean' });
    let nativeMessage = '';
    try {
      await handle.build({ bucketCapacity: 1 }, undefined);
    } catch (error) {
      nativeMessage = (error as Error).message;
    }
    expect(nativeMessage).toMatch(range);
    handle.close();
    index.close();
  });
});
