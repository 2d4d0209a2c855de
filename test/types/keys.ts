// Compiled by test/types.test.ts with tsc (never run): each @ts-expect-error
// line must be a type error, or tsc reports the directive as unused.
import { Database, Index } from '../../src/index';

declare const v: Float32Array;

const byKey = Index.open('x', { dimensions: 3, distance: 'cosine', keys: 'string' });
byKey.add('a', v);
// @ts-expect-error a string-keyed index takes string keys
byKey.add(5, v);
// @ts-expect-error
byKey.delete(5);
// @ts-expect-error
byKey.get(1);
// @ts-expect-error
byKey.searchById(2);
// @ts-expect-error
byKey.distanceBetween('a', 3);

const byId = Index.open('x', { dimensions: 3, distance: 'cosine', keys: 'number' });
byId.add(5, v);
// @ts-expect-error a numeric index takes ids
byId.add('a', v);
// @ts-expect-error
byId.has('a');

// Reopened without `keys`, the kind is the file's: both are accepted and checked at run time.
const either = Index.open('x');
either.add(1, v);
either.add('a', v);

const typed: Index<string> = byKey;
// @ts-expect-error the kinds do not mix
const wrong: Index<number> = byKey;

const db = Database.open('x');
db.index('words', { dimensions: 3, distance: 'cosine', keys: 'string' }).add('a', v);
// @ts-expect-error
db.index('words', { dimensions: 3, distance: 'cosine', keys: 'string' }).add(1, v);

// @ts-expect-error misspelled options are type errors too
Index.open('x', { readonly: true });

// Symbol.dispose: `using` closes at the end of the block.
function scoped(): void {
  using index = Index.open('x', { keys: 'string' });
  using file = Database.open('x');
  index.add('a', v);
  file.names();
}

async function asyncCalls(): Promise<void> {
  const hits = await byKey.searchAsync(v, { k: 3, signal: AbortSignal.timeout(10) });
  const key: string | undefined = hits[0].key;
  const batch = await byId.searchBatch(v, { k: 3, threads: 2 });
  const ids: Uint32Array = batch.ids;
  const counts: Uint32Array = batch.counts;
  // @ts-expect-error searchBatch takes one Float32Array matrix
  await byId.searchBatch([v]);
  void [key, ids, counts];
}

void [typed, wrong, scoped, asyncCalls];
