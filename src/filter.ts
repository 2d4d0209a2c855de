/**
 * Filters for search(): the set of items a query may return.
 *
 * A Filter is resolved to the index's internal slots once per committed
 * state and remembers it, so reuse one Filter across many queries. Passing a
 * plain array or Set to search() works too but resolves it on every call.
 */
import { invalidArgument } from './errors';
import { binding, type NativeFilterHandle } from './native';
import { checkId, checkText, describe } from './validate';

/** What search() accepts as `filter`. */
export type FilterInput = Filter | Uint32Array | Iterable<number | string>;

/** The native allowed set of a Filter (set by the class below; not part of the public API). */
let filterHandleOf: (filter: Filter) => NativeFilterHandle;

export class Filter {
  /** How many distinct ids, plus how many keys, were given (ones not stored included). */
  readonly size: number;
  readonly #handle: NativeFilterHandle;

  /**
   * Allow the items named by `items`: ids (numbers) for a numeric index,
   * keys (strings) for one with string keys; searching with the other kind
   * throws ERR_ARROY_INVALID_ARGUMENT. Ids or keys that are not stored are
   * ignored; keys are looked up again after every commit, so a key added
   * later counts once it is built.
   */
  constructor(items: Uint32Array | Iterable<number | string>) {
    let ids: Uint32Array;
    let keys: string[] | undefined;
    if (items instanceof Uint32Array) {
      ids = items;
    } else if (items !== null && typeof items === 'object' && Symbol.iterator in items) {
      const numbers: number[] = [];
      for (const item of items) {
        if (typeof item === 'string') (keys ??= []).push(checkText(item, 'a filter key'));
        else numbers.push(checkId(item, 'a filter id'));
      }
      ids = Uint32Array.from(numbers);
    } else {
      throw invalidArgument(`a filter must be a Uint32Array, an array or a Set of ids or keys, got ${describe(items)}`);
    }
    this.#handle = new binding.FilterHandle(ids, keys);
    this.size = this.#handle.size();
  }

  static {
    filterHandleOf = (filter) => filter.#handle;
  }
}

/** The native handle for a search's `filter` option (undefined: no filter). */
export function filterHandle(input: FilterInput | undefined): NativeFilterHandle | undefined {
  if (input === undefined) return undefined;
  return filterHandleOf(input instanceof Filter ? input : new Filter(input as Uint32Array | Iterable<number | string>));
}
