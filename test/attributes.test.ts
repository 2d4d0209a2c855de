// Attributes: stored with the vector at build, returned on request, and
// filtered on through the index's inverted index (`where`). Every filtered
// answer here is compared with brute force over the items whose attributes
// match, worked out in JS from the attributes the test gave.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArroyError, Index, type Attributes, type Where } from '../src/index';
import { bruteForce, random, randomVectors } from './helpers/brute';
import { tempIndexPath } from './helpers/tmp';

const GENRES = ['rock', 'jazz', 'pop', 'folk', 'blues'];

function attributesOf(id: number): Attributes {
  const next = random(id + 1);
  const out: Attributes = {
    genre: GENRES[id % GENRES.length],
    year: 1950 + (id % 70),
    live: id % 3 === 0,
    tags: [`t${id % 7}`, `t${(id * 3) % 11}`],
  };
  if (id % 10 === 0) delete out.live;
  if (id % 4 === 0) out.score = Math.round(next() * 1000) / 10 - 50;
  return out;
}

async function catalog(count = 3000, dim = 8) {
  const index = Index.open(tempIndexPath('attrs'), { dimensions: dim, distance: 'euclidean' });
  const vectors = randomVectors(count, dim, 5);
  vectors.forEach((v, id) => index.add(id, v, { attributes: attributesOf(id) }));
  await index.build({ seed: 1 });
  return { index, vectors };
}

function errorOf(run: () => unknown): ArroyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ArroyError);
    return error as ArroyError;
  }
  throw new Error('expected an ArroyError');
}

// A JS model of `where` over attributes, independent of the index.
function matches(a: Attributes, where: Where): boolean {
  return Object.entries(where).every(([key, cond]) => {
    if (key === '$and') return (cond as Where[]).every((w) => matches(a, w));
    if (key === '$or') return (cond as Where[]).some((w) => matches(a, w));
    if (key === '$not') return !matches(a, cond as Where);
    const value = a[key];
    const values: unknown[] = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (cond === null || typeof cond !== 'object') return values.includes(cond);
    return Object.entries(cond).every(([op, x]) => {
      switch (op) {
        case '$eq': return values.includes(x);
        case '$ne': return !values.includes(x);
        case '$in': return (x as unknown[]).some((y) => values.includes(y));
        case '$gt': return values.some((v) => (v as number) > (x as number));
        case '$gte': return values.some((v) => (v as number) >= (x as number));
        case '$lt': return values.some((v) => (v as number) < (x as number));
        case '$lte': return values.some((v) => (v as number) <= (x as number));
      }
      throw new Error(op);
    });
  });
}

describe('attributes', () => {
  it('round-trips attributes, replaces them on overwrite, and drops them on delete', async () => {
    const index = Index.open(tempIndexPath(), { dimensions: 3, distance: 'euclidean' });
    index.add(1, [1, 0, 0], { attributes: { genre: 'rock', year: 1994, live: false, tags: ['a', 'b'], scores: [1.5, -2] } });
    index.add(2, [0, 1, 0]);
    expect(index.getAttributes(1)).toBeUndefined(); // visible at build, like the vector
    await index.build();
    expect(index.getAttributes(1)).toEqual({ genre: 'rock', year: 1994, live: false, tags: ['a', 'b'], scores: [1.5, -2] });
    expect(index.getAttributes(2)).toEqual({});
    expect(index.getAttributes(3)).toBeUndefined();
    expect(index.stats().attributes).toEqual({
      fields: { genre: 'string', live: 'boolean', scores: 'number', tags: 'string', year: 'number' },
      items: 1,
      postings: 7,
    });

    // Overwrite with others, overwrite without (clears), delete.
    index.add(2, [0, 1, 0], { attributes: { genre: 'jazz', tags: [] } });
    index.add(1, [1, 0, 0]);
    await index.build();
    expect(index.getAttributes(1)).toEqual({});
    expect(index.getAttributes(2)).toEqual({ genre: 'jazz' }); // an empty array is no field
    expect(index.search([1, 0, 0], { k: 2, where: { genre: 'rock' } })).toEqual([]);
    expect(index.search([1, 0, 0], { k: 2, where: { genre: 'jazz' } }).map((n) => n.id)).toEqual([2]);
    index.delete(2);
    await index.build();
    expect(index.getAttributes(2)).toBeUndefined();
    expect(index.stats().attributes).toMatchObject({ items: 0, postings: 0 });
    expect(index.search([1, 0, 0], { k: 2, where: { genre: 'jazz' } })).toEqual([]);
    index.check({ deep: true });

    // A slot freed by a delete and reused by a new item carries only the new item's attributes.
    index.add(7, [0, 0, 1], { attributes: { genre: 'pop' } });
    await index.build();
    expect(index.search([0, 0, 1], { k: 5, where: { genre: 'pop' }, attributes: true })).toEqual([
      { id: 7, distance: 0, attributes: { genre: 'pop' } },
    ]);
    index.check({ deep: true });
    index.close();
  });

  it('answers every operator, and/or/not, exactly like brute force over the matching items', async () => {
    const { index, vectors } = await catalog();
    const wheres: Where[] = [
      { genre: 'rock' },
      { genre: { $eq: 'jazz' } },
      { genre: { $ne: 'jazz' } },
      { genre: { $in: ['pop', 'folk'] } },
      { tags: 't3' },
      { tags: { $in: ['t1', 't10'] } },
      { year: { $gte: 1990, $lt: 2000 } },
      { year: { $gt: 1990, $lte: 2000 } },
      { year: 1977 },
      { score: { $lt: 0 } },
      { score: { $gte: -10.5, $lte: 10.5 } },
      { live: true },
      { live: { $ne: true } }, // items without the field match $ne
      { genre: 'rock', year: { $lt: 1980 } },
      { $and: [{ genre: 'rock' }, { live: false }] },
      { $or: [{ genre: 'rock' }, { year: { $gte: 2015 } }] },
      { $not: { genre: { $in: ['rock', 'jazz', 'pop'] } } },
      { $not: { $or: [{ live: true }, { tags: 't0' }] } },
      { $and: [] },
    ];
    const all = vectors.map((v, id): [number, Float32Array] => [id, v]);
    for (const where of wheres) {
      const items = all.filter(([id]) => matches(attributesOf(id), where));
      expect(items.length, JSON.stringify(where)).toBeGreaterThan(0);
      for (let q = 0; q < 3; q++) {
        const query = vectors[(q * 101) % vectors.length].map((x) => x + 0.02);
        const truth = bruteForce('euclidean', items, query, 10).map((n) => n.id);
        const exact = index.searchDetailed(query, { k: 10, where, strategy: 'exact' });
        expect(exact.scored, JSON.stringify(where)).toBe(items.length);
        expect(exact.neighbors.map((n) => n.id), JSON.stringify(where)).toEqual(truth);
        // recall 1 is exact too, through whichever strategy auto picks
        expect(index.searchIds(query, { k: 10, where, recall: 1 })).toEqual(Uint32Array.from(truth));
      }
    }
    index.close();
  });

  it('combines where with filter, and serves every search entry point', async () => {
    const { index, vectors } = await catalog();
    const where: Where = { genre: 'folk' };
    const allowed = Array.from({ length: 1500 }, (_, i) => i * 2);
    const items = allowed.filter((id) => matches(attributesOf(id), where)).map((id): [number, Float32Array] => [id, vectors[id]]);
    const query = vectors[17];
    const truth = bruteForce('euclidean', items, query, 5);
    const opts = { k: 5, where, filter: allowed, strategy: 'exact' as const };
    expect(index.search(query, opts).map((n) => n.id)).toEqual(truth.map((n) => n.id));
    expect((await index.searchAsync(query, opts)).map((n) => n.id)).toEqual(truth.map((n) => n.id));
    const batch = await index.searchBatch(Float32Array.from([...query, ...query]), opts);
    expect(Array.from(batch.ids.subarray(0, 5))).toEqual(truth.map((n) => n.id));
    expect(Array.from(batch.ids.subarray(5, 10))).toEqual(truth.map((n) => n.id));
    const around = index.searchById(truth[0].id, { k: 3, where, filter: allowed, attributes: true })!;
    expect(around[0]).toMatchObject({ id: truth[0].id, distance: 0, attributes: attributesOf(truth[0].id) });
    for (const n of around) expect(n.attributes!.genre).toBe('folk');
    // attributes: true on search and searchAsync too; without it, no attributes
    const withAttrs = await index.searchAsync(query, { k: 3, attributes: true });
    for (const n of withAttrs) expect(n.attributes).toEqual(attributesOf(n.id));
    expect(index.search(query, { k: 3 })[0].attributes).toBeUndefined();
    index.close();
  });

  it('returns [] at once for a where that matches nothing', async () => {
    const { index } = await catalog();
    for (const where of [{ genre: 'disco' }, { year: { $gt: 5000 } }, { $and: [{ genre: 'rock' }, { genre: 'jazz' }] }, { $or: [] }] as Where[]) {
      const result = index.searchDetailed([0, 0, 0, 0, 0, 0, 0, 0], { k: 10, where });
      expect(result.neighbors).toEqual([]);
      expect(result.scored).toBe(0);
    }
    index.close();
  });

  it('refuses unknown fields, wrong types and malformed predicates with ERR_ARROY_INVALID_ARGUMENT', async () => {
    const { index } = await catalog(200);
    const q = [0, 0, 0, 0, 0, 0, 0, 0];
    const cases: Array<[unknown, RegExp]> = [
      [{ colour: 'red' }, /unknown attribute field 'colour'/],
      [{ genre: 5 }, /'genre' holds string values/],
      [{ year: 'old' }, /'year' holds number values/],
      [{ genre: { $gte: 3 } }, /compare numbers only/],
      [{ live: { $lt: 1 } }, /compare numbers only/],
      [{ year: { $gte: 'x' } }, /must be a finite number/],
      [{ year: { $gte: Infinity } }, /must be a finite number/],
      [{ genre: { $inn: ['rock'] } }, /unknown operator '\$inn'; did you mean '\$in'/],
      [{ $ro: [] }, /unknown operator '\$ro'; did you mean '\$or'/],
      [{ genre: ['rock'] }, /\$in/],
      [{ genre: {} }, /empty operator object/],
      [{ $and: {} }, /must be an array/],
      ['rock', /plain object/],
    ];
    for (const [where, message] of cases) {
      const error = errorOf(() => index.search(q, { where: where as Where }));
      expect(error.code, JSON.stringify(where)).toBe('ERR_ARROY_INVALID_ARGUMENT');
      expect(error.message).toMatch(message);
    }
    await expect(index.searchAsync(q, { where: { colour: 'red' } })).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT' });
    let deep: Where = { genre: 'rock' };
    for (let i = 0; i < 40; i++) deep = { $not: deep };
    expect(errorOf(() => index.search(q, { where: deep })).message).toMatch(/deeper/);
    expect(errorOf(() => index.search(q, { attributes: 1 as unknown as boolean })).code).toBe('ERR_ARROY_INVALID_ARGUMENT');
    index.close();
  });

  it('fixes a field type on first write and checks attribute values and limits', async () => {
    const index = Index.open(tempIndexPath(), { dimensions: 2, distance: 'euclidean' });
    const v = [1, 1];
    const add = (id: number, attributes: unknown) => errorOf(() => index.add(id, v, { attributes: attributes as Attributes }));
    index.add(1, v, { attributes: { year: 1990, name: 'a' } });
    expect(add(2, { year: '1990' }).message).toMatch(/'year' holds number values, not string/); // pending type
    await index.build();
    expect(add(2, { name: true }).message).toMatch(/'name' holds string values, not boolean/); // committed type
    expect(add(2, { tags: ['a', 1] }).message).toMatch(/mixes/);
    expect(add(2, { tags: [true] }).message).toMatch(/tags'\[0\] must be a string or a number/);
    expect(add(2, { year: NaN }).message).toMatch(/finite/);
    expect(add(2, { year: Infinity }).message).toMatch(/finite/);
    expect(add(2, { x: null }).code).toBe('ERR_ARROY_INVALID_ARGUMENT');
    expect(add(2, { x: { nested: 1 } }).code).toBe('ERR_ARROY_INVALID_ARGUMENT');
    expect(add(2, ['a']).message).toMatch(/plain object/);
    expect(add(2, { ['n'.repeat(65)]: 1 }).message).toMatch(/attribute name must be 1 to 64 bytes/);
    expect(add(2, { s: 'x'.repeat(257) }).message).toMatch(/limit is 256/);
    expect(add(2, Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, i]))).message).toMatch(/at most 64 attributes/);
    expect(add(2, { many: Array.from({ length: 3000 }, (_, i) => i) }).message).toMatch(/at most 16384 bytes/);
    expect(errorOf(() => index.add(2, v, { attribute: {} } as never)).message).toMatch(/did you mean 'attributes'/);
    // -0 and 0 are one value
    index.add(3, v, { attributes: { year: -0 } });
    await index.build();
    expect(index.search(v, { where: { year: 0 } }).map((n) => n.id)).toEqual([3]);
    index.check({ deep: true });
    index.close();
  });

  it('keys attributes by string key, and a build failing on a type conflict commits nothing', async () => {
    const file = tempIndexPath();
    const index = Index.open(file, { dimensions: 2, distance: 'cosine', keys: 'string' });
    index.add('a', [1, 0], { attributes: { kind: 'x' } });
    index.add('b', [0, 1], { attributes: { kind: 'y' } });
    await index.build();
    expect(index.search([1, 0.1], { where: { kind: 'y' }, attributes: true })).toEqual([
      { id: expect.any(Number), key: 'b', distance: expect.any(Number), attributes: { kind: 'y' } },
    ]);
    expect(index.getAttributes('a')).toEqual({ kind: 'x' });
    // Another writer commits kind as a number meanwhile: this build must fail whole.
    const other = Index.open(file, { keys: 'string' });
    other.add('c', [1, 1], { attributes: { level: 3 } });
    index.add('d', [1, 1], { attributes: { level: 'high' } });
    await other.build();
    await expect(index.build()).rejects.toMatchObject({ code: 'ERR_ARROY_INVALID_ARGUMENT', message: expect.stringMatching(/'level' holds number values, not string/) });
    expect(index.has('d')).toBe(false);
    expect(index.pendingCount).toBe(1); // back to pending
    index.add('d', [1, 1], { attributes: { level: 4 } });
    await index.build();
    expect(index.search([1, 1], { where: { level: { $gte: 3 } } }).map((n) => n.key).sort()).toEqual(['c', 'd']);
    index.check({ deep: true });
    other.close();
    index.close();
  });

  it('keeps the inverted index in step over many incremental builds (check deep after each)', async () => {
    const index = Index.open(tempIndexPath(), { dimensions: 4, distance: 'euclidean' });
    const next = random(99);
    const model = new Map<number, Attributes>();
    const vec = () => Float32Array.from({ length: 4 }, () => next());
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 200; i++) {
        const id = Math.floor(next() * 400);
        if (next() < 0.2) {
          index.delete(id);
          model.delete(id);
        } else if (next() < 0.3) {
          index.add(id, vec());
          model.set(id, {});
        } else {
          const a: Attributes = { c: `c${Math.floor(next() * 5)}`, n: Math.floor(next() * 10) };
          index.add(id, vec(), { attributes: a });
          model.set(id, a);
        }
      }
      await index.build();
      index.check({ deep: true });
      for (const [id, a] of model) expect(index.getAttributes(id)).toEqual(a);
      const expected = [...model].filter(([, a]) => a.c === 'c2' && (a.n as number) >= 5).map(([id]) => id).sort((x, y) => x - y);
      const got = Array.from(index.searchIds([0, 0, 0, 0], { k: 1000, where: { c: 'c2', n: { $gte: 5 } }, strategy: 'exact' })).sort((x, y) => x - y);
      expect(got).toEqual(expected);
    }
    index.close();
  });

  it('shows another process the attributes once it has built', async () => {
    const file = tempIndexPath();
    const index = Index.open(file, { dimensions: 2, distance: 'euclidean' });
    index.add(1, [0, 0], { attributes: { colour: 'red' } });
    await index.build();
    const script = `
      const { Index } = require(${JSON.stringify(path.resolve(__dirname, '../dist/index.js'))});
      const index = Index.open(process.argv[1], { readOnly: true });
      process.stdout.write(JSON.stringify({ got: index.getAttributes(1), hits: index.search([0, 0], { where: { colour: 'red' }, attributes: true }) }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script, file], { encoding: 'utf8' }));
    expect(out).toEqual({ got: { colour: 'red' }, hits: [{ id: 1, distance: 0, attributes: { colour: 'red' } }] });
    index.close();
  });
});
