// A shard function: answers a query from one shard snapshot (shard-<i>.arroy
// written by `arroy-ts shard` / splitIndex), opened once per execution
// environment with verify: true, so a damaged or truncated file is refused
// instead of answering wrongly.
//
//   event:  {"vector": [...], "k": 10, "strategy"?: "exact" | "auto" | ..., "recall"?: 0.95}
//   result: {"neighbors": [{"id", "distance", "key"?}], "ms": <search time>}
//
// Environment: ARROY_SHARD_PATH, the snapshot shipped with the function.
import { ArroyError, Index } from 'arroy-ts';

const SEARCH_FIELDS = ['k', 'strategy', 'recall', 'ef'];

export function createShardHandler({ snapshotPath }) {
  let index;
  // A failed open is retried by the next invocation.
  const open = () => (index ??= Index.open(snapshotPath, { readOnly: true, verify: true }));
  async function handler(event) {
    open();
    if (event === null || typeof event !== 'object' || !Array.isArray(event.vector)) {
      return { error: 'the event must be {"vector": [...], "k": n}', code: 'ERR_ARROY_INVALID_ARGUMENT' };
    }
    const options = {};
    for (const field of SEARCH_FIELDS) if (event[field] !== undefined) options[field] = event[field];
    const started = performance.now();
    try {
      const neighbors = index.search(event.vector, options);
      return { neighbors, ms: performance.now() - started };
    } catch (error) {
      if (error instanceof ArroyError) return { error: error.message, code: error.code };
      throw error;
    }
  }
  // For an init phase (or a local server) that opens before the first event.
  handler.open = open;
  return handler;
}

export const handler = createShardHandler({ snapshotPath: process.env.ARROY_SHARD_PATH });
