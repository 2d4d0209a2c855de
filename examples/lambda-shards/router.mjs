// The router function: sends one query to the shards its manifest routes it
// to (every shard of a hash split; the `probe` nearest of a k-means split) at
// once, and merges their top-k lists into the exact top-k of those shards
// (mergeNeighbors). Its latency is the slowest shard's plus the merge, so
// shards should be near equal in size (a hash split makes them so; a k-means
// split caps them at `balance` times the mean).
//
//   event:  {"vector": [...], "k": 10, "probe"?: n | "probeRecall"?: 0.95, "strategy"?, "recall"?}
//           (probe / probeRecall pick the shards; the rest is passed to each shard as is)
//   result: {"neighbors": [...], "shards": [...asked, nearest first], "shardMs": [...their search times], "mergeMs"}
//
// `manifest` is shards.json as readShardManifest / parseShardManifest return
// it (ship it with the router). `invokeShard(i, event)` is how shard i is
// called: on AWS, the SDK's LambdaClient.send(new InvokeCommand({FunctionName:
// `shard-${i}`, Payload})) parsed from JSON; locally, invoke.mjs posts to a process per shard.
import { ArroyError, mergeNeighbors, routeQuery } from 'arroy-ts';

export const MAX_K = 100;

export function createRouter({ manifest, invokeShard }) {
  return async function handler(event) {
    if (event === null || typeof event !== 'object') return { error: 'the event must be {"vector": [...], "k": n}', code: 'ERR_ARROY_INVALID_ARGUMENT' };
    const k = event.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) return { error: `k must be an integer from 1 to ${MAX_K}`, code: 'ERR_ARROY_INVALID_ARGUMENT' };
    const { probe, probeRecall, ...search } = event;
    let shards;
    try {
      shards = routeQuery(manifest, event.vector, { probe, probeRecall });
    } catch (error) {
      if (error instanceof ArroyError) return { error: error.message, code: error.code };
      throw error;
    }
    const query = { ...search, k };
    const answers = await Promise.all(shards.map((i) => invokeShard(i, query)));
    const failed = answers.findIndex((answer) => answer.error !== undefined);
    // A shard that fails would silently drop its items from the answer: fail the whole query instead.
    if (failed >= 0) return { error: `shard ${shards[failed]}: ${answers[failed].error}`, code: answers[failed].code };
    const started = performance.now();
    const neighbors = mergeNeighbors(answers.map((answer) => answer.neighbors), k);
    return { neighbors, shards, shardMs: answers.map((answer) => answer.ms), mergeMs: performance.now() - started };
  };
}
