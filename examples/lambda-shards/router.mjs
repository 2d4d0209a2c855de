// The router function: fans one query out to every shard function at once
// and merges their top-k lists into the exact global top-k (mergeNeighbors).
// Its latency is the slowest shard's plus the merge, so shards should be
// equal in size (hash sharding makes them so).
//
//   event:  {"vector": [...], "k": 10, "strategy"?, "recall"?}  (passed to each shard as is)
//   result: {"neighbors": [...], "shardMs": [...per shard search time], "mergeMs"}
//
// `invokeShard(i, event)` is how shard i is called: on AWS, the SDK's
// LambdaClient.send(new InvokeCommand({FunctionName: `shard-${i}`, Payload}))
// parsed from JSON; locally, invoke.mjs posts to a process per shard.
import { mergeNeighbors } from 'arroy-ts';

export const MAX_K = 100;

export function createRouter({ shardCount, invokeShard }) {
  return async function handler(event) {
    const k = event?.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) return { error: `k must be an integer from 1 to ${MAX_K}`, code: 'ERR_ARROY_INVALID_ARGUMENT' };
    const query = { ...event, k };
    const answers = await Promise.all(Array.from({ length: shardCount }, (_, i) => invokeShard(i, query)));
    const failed = answers.findIndex((answer) => answer.error !== undefined);
    // A missing shard would silently drop its items from the answer: fail the whole query instead.
    if (failed >= 0) return { error: `shard ${failed}: ${answers[failed].error}`, code: answers[failed].code };
    const started = performance.now();
    const neighbors = mergeNeighbors(answers.map((answer) => answer.neighbors), k);
    return { neighbors, shardMs: answers.map((answer) => answer.ms), mergeMs: performance.now() - started };
  };
}
