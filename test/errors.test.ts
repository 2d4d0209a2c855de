// Bad input gets a typed ArroyError with a code: never a crash, never a
// silently wrong index.
import * as fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArroyError, Index, type ArroyErrorCode } from '../src/index';
import { tempIndexPath } from './helpers/tmp';

function expectCode(fn: () => unknown, code: ArroyErrorCode) {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code}`).toBeInstanceOf(ArroyError);
  expect((thrown as ArroyError).code).toBe(code);
}

describe('vectors', () => {
  let index: Index;
  beforeAll(() => {
    index = Index.open(tempIndexPath(), { dimensions: 3, distance: 'cosine' });
  });

  it.each([
    ['too short', [1, 2]],
    ['too long', new Float32Array(4)],
    ['empty', []],
  ])('rejects a vector that is %s', (_, vector) => {
    expectCode(() => index.add(1, vector as number[]), 'ERR_ARROY_DIMENSION_MISMATCH');
    expectCode(() => index.search(vector as number[]), 'ERR_ARROY_DIMENSION_MISMATCH');
  });

  it.each([NaN, Infinity, -Infinity])('rejects %s in a vector or query', (bad) => {
    expectCode(() => index.add(1, [1, bad, 0]), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => index.add(1, new Float32Array([1, bad, 0])), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => index.search([bad, 0, 0]), 'ERR_ARROY_INVALID_ARGUMENT');
  });

  it('rejects values whose norm overflows a float', () => {
    expectCode(() => index.add(1, [3e38, 3e38, 0]), 'ERR_ARROY_INVALID_ARGUMENT');
  });

  it('rejects zero vectors for cosine', () => {
    expectCode(() => index.add(1, [0, 0, 0]), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => index.search([0, 0, 0]), 'ERR_ARROY_INVALID_ARGUMENT');
  });

  it.each([['a string', 'abc'], ['an object', { 0: 1 }], ['null', null], ['strings inside', ['1', '2', '3']], ['a Float64Array of the wrong length', new Float64Array(2)]])(
    'rejects %s as a vector',
    (_, bad) => {
      let thrown: unknown;
      try {
        index.add(1, bad as unknown as number[]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ArroyError);
    },
  );

  it('leaves nothing pending after rejected input', () => {
    expect(index.pendingCount).toBe(0);
  });
});

describe('ids and options', () => {
  let index: Index;
  beforeAll(() => {
    index = Index.open(tempIndexPath(), { dimensions: 2, distance: 'euclidean' });
  });

  it.each([-1, 1.5, 2 ** 32, NaN, Infinity, '7', 7n, null, undefined])('rejects id %s', (id) => {
    expectCode(() => index.add(id as number, [1, 2]), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => index.delete(id as number), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => index.get(id as number), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => index.searchById(id as number), 'ERR_ARROY_INVALID_ARGUMENT');
  });

  it('accepts the extreme ids 0 and 2^32 - 1', async () => {
    index.add(0, [1, 1]);
    index.add(2 ** 32 - 1, [2, 2]);
    await index.build();
    expect(index.get(0)).toEqual(new Float32Array([1, 1]));
    expect(index.get(2 ** 32 - 1)).toEqual(new Float32Array([2, 2]));
    expect(index.search([2, 2], { k: 2 }).map((n) => n.id)).toEqual([2 ** 32 - 1, 0]);
  });

  it.each([0, -1, 1.5, NaN, '10'])('rejects k = %s', (k) => {
    expectCode(() => index.search([1, 1], { k: k as number }), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => index.searchById(0, { k: k as number }), 'ERR_ARROY_INVALID_ARGUMENT');
  });

  it.each([0, -5, 2.5])('rejects searchK = %s', (searchK) => {
    expectCode(() => index.search([1, 1], { searchK }), 'ERR_ARROY_INVALID_ARGUMENT');
  });

  it('rejects bad build options before starting', async () => {
    for (const options of [{ trees: 0 }, { trees: 1e9 }, { seed: -1 }, { seed: 1.5 }, { seed: 2n ** 64n }, { bucketCapacity: 1 }, { threads: 0 }]) {
      await expect(index.build(options as never)).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT' });
    }
  });

  it('rejects bad open options', () => {
    const path = tempIndexPath();
    expectCode(() => Index.open(path, { dimensions: 0, distance: 'cosine' }), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => Index.open(path, { dimensions: 1.5, distance: 'cosine' }), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => Index.open(path, { dimensions: 3, distance: 'angular' as never }), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => Index.open(path, { dimensions: 3 }), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => Index.open('', { dimensions: 3, distance: 'dot' }), 'ERR_ARROY_INVALID_ARGUMENT');
    expectCode(() => Index.open(path, { dimensions: 3, distance: 'dot', name: '' }), 'ERR_ARROY_INVALID_ARGUMENT');
  });
});

describe('files', () => {
  it('refuses to reopen an index with other dimensions or another distance', async () => {
    const path = tempIndexPath();
    Index.open(path, { dimensions: 4, distance: 'manhattan' }).close();
    expectCode(() => Index.open(path, { dimensions: 5, distance: 'manhattan' }), 'ERR_ARROY_DIMENSION_MISMATCH');
    expectCode(() => Index.open(path, { dimensions: 4, distance: 'euclidean' }), 'ERR_ARROY_DISTANCE_MISMATCH');
    const reopened = Index.open(path);
    expect([reopened.dimensions, reopened.distance]).toEqual([4, 'manhattan']);
    reopened.close();
  });

  it('refuses files that are not LMDB environments', () => {
    const text = tempIndexPath('text');
    fs.writeFileSync(text, 'hello, this is not a database\n'.repeat(500));
    expectCode(() => Index.open(text, { dimensions: 2, distance: 'dot' }), 'ERR_ARROY_NOT_AN_INDEX');
    expect(fs.readFileSync(text, 'utf8')).toBe('hello, this is not a database\n'.repeat(500));
    const random = tempIndexPath('random');
    fs.writeFileSync(random, Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) & 255)));
    expectCode(() => Index.open(random, { dimensions: 2, distance: 'dot' }), 'ERR_ARROY_NOT_AN_INDEX');
    expectCode(() => Index.open(tempIndexPath('missing'), { readOnly: true }), 'ERR_ARROY_NOT_AN_INDEX');
    expectCode(() => Index.open(fs.mkdtempSync(text + '-dir'), { dimensions: 2, distance: 'dot' }), 'ERR_ARROY_NOT_AN_INDEX');
  });

  it('refuses a missing index name in read-only mode', async () => {
    const path = tempIndexPath();
    const index = Index.open(path, { dimensions: 2, distance: 'dot' });
    index.add(1, [1, 2]);
    await index.build();
    index.close();
    expectCode(() => Index.open(path, { readOnly: true, name: 'other' }), 'ERR_ARROY_NOT_AN_INDEX');
  });
});

describe('after close', () => {
  it('every call throws ERR_ARROY_CLOSED, and close is idempotent', async () => {
    const index = Index.open(tempIndexPath(), { dimensions: 2, distance: 'euclidean' });
    index.close();
    index.close();
    expectCode(() => index.add(1, [1, 2]), 'ERR_ARROY_CLOSED');
    expectCode(() => index.delete(1), 'ERR_ARROY_CLOSED');
    expectCode(() => index.get(1), 'ERR_ARROY_CLOSED');
    expectCode(() => index.search([1, 2]), 'ERR_ARROY_CLOSED');
    expectCode(() => index.searchById(1), 'ERR_ARROY_CLOSED');
    expectCode(() => index.size, 'ERR_ARROY_CLOSED');
    expectCode(() => index.trees, 'ERR_ARROY_CLOSED');
    expectCode(() => index.pendingCount, 'ERR_ARROY_CLOSED');
    await expect(index.build()).rejects.toMatchObject({ code: 'ERR_ARROY_CLOSED' });
  });
});
