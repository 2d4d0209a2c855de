// Unknown option names are errors naming the closest valid one, for every
// options object of the public API, never silently dropped.
import { describe, expect, it } from 'vitest';
import { Database, Index } from '../src/index';
import { closestName, editDistance } from '../src/validate';
import { tempIndexPath } from './helpers/tmp';

const v = Float32Array.of(1, 2, 3);

function rejects(call: () => unknown, message: string): void {
  expect(call).toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT', message: expect.stringContaining(message) }));
}

async function rejectsAsync(call: () => Promise<unknown>, message: string): Promise<void> {
  await expect(call()).rejects.toThrow(expect.objectContaining({ code: 'ERR_ARROY_INVALID_ARGUMENT', message: expect.stringContaining(message) }));
}

describe('unknown options', () => {
  it('are rejected with the closest valid name, in every options object', async () => {
    const file = tempIndexPath('options');
    rejects(() => Index.open(file, { dimensions: 3, distance: 'cosine', readonly: true } as never), "unknown option 'readonly'; did you mean 'readOnly'?");
    rejects(() => Index.open(file, { dimension: 3 } as never), "did you mean 'dimensions'?");
    const index = Index.open(file, { dimensions: 3, distance: 'cosine' });
    index.add(1, v);
    index.add(2, Float32Array.of(3, 2, 1));
    await rejectsAsync(() => index.build({ tree: 3 } as never), "unknown option 'tree'; did you mean 'trees'?");
    await index.build({ seed: 1 });
    rejects(() => index.search(v, { serchK: 4 } as never), "unknown option 'serchK'; did you mean 'searchK'?");
    rejects(() => index.searchDetailed(v, { K: 4 } as never), "did you mean 'k'?");
    rejects(() => index.searchById(1, { filters: [1] } as never), "did you mean 'filter'?");
    rejects(() => index.searchIds(v, { stratgy: 'exact' } as never), "did you mean 'strategy'?");
    await rejectsAsync(() => index.searchAsync(v, { sigal: undefined } as never), "did you mean 'signal'?");
    await rejectsAsync(() => index.searchBatch(v, { thread: 2 } as never), "did you mean 'threads'?");
    // threads is searchBatch's alone.
    await rejectsAsync(() => index.searchAsync(v, { threads: 2 } as never), "unknown option 'threads'");
    rejects(() => index.search(v, { bananas: 1 } as never), "unknown option 'bananas'; valid options are 'k', 'recall', 'ef', 'searchK', 'filter', 'strategy'");
    rejects(() => index.search(v, [] as never), 'search options must be an options object');
    index.close();

    rejects(() => Database.open(file, { mapsize: 1 << 30 } as never), "unknown option 'mapsize'; did you mean 'mapSize'?");
    const db = Database.open(file);
    rejects(() => db.index('other', { dimensions: 3, distance: 'cosine', key: 'string' } as never), "did you mean 'keys'?");
    // db.index's options are its own: name and readOnly come from the Database.
    rejects(() => db.index('other', { readOnly: true } as never), "unknown option 'readOnly'");
    db.index('default');
    await rejectsAsync(() => db.build({ rebuilt: true } as never), "did you mean 'rebuild'?");
    db.close();
  });

  it('suggest by edit distance (swaps and case slips count little), or not at all when nothing is close', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('searhcK', 'searchK')).toBe(1); // an adjacent swap is one edit
    expect(editDistance('same', 'same')).toBe(0);
    expect(closestName('readonly', ['readOnly', 'mapSize'])).toBe('readOnly');
    expect(closestName('trees', ['threads', 'trees'])).toBe('trees');
    expect(closestName('tress', ['threads', 'trees', 'seed'])).toBe('trees');
    expect(closestName('xyzzy', ['k', 'searchK', 'filter'])).toBeUndefined();
  });
});
