/**
 * The shard command: splits an index into N snapshot files by id/key hash or
 * by k-means (splitIndex), with the manifest a router reads, for serving each
 * shard from its own process or function.
 */
import { splitIndex, type SplitOptions } from '../shards';
import { openReadOnly } from './read';
import { BUILD_OPTIONS, integer, number, parse, positionals, string } from './options';
import { print } from './output';
import { UsageError } from './usage';
import { buildOptions } from './write';

const KMEANS_FLAGS = ['balance', 'sample', 'recall-queries'];

export async function shardCommand(args: string[]): Promise<void> {
  const parsed = parse('shard', args, {
    ...BUILD_OPTIONS,
    shards: { type: 'string' },
    by: { type: 'string' },
    balance: { type: 'string' },
    sample: { type: 'string' },
    'recall-queries': { type: 'string' },
  });
  const [path, dir] = positionals('shard', parsed, ['index', 'dir']);
  const shards = integer('shard', parsed.values, 'shards');
  if (shards === undefined) throw new UsageError('--shards N is required', 'shard');
  const by = string(parsed.values, 'by') ?? 'hash';
  if (by !== 'hash' && by !== 'kmeans') throw new UsageError(`--by expects hash or kmeans, got '${by}'`, 'shard');
  const options: SplitOptions = { shards, by, build: buildOptions('shard', parsed.values) };
  if (by === 'kmeans') {
    Object.assign(options, {
      balance: number('shard', parsed.values, 'balance'),
      sample: integer('shard', parsed.values, 'sample'),
      recallQueries: integer('shard', parsed.values, 'recall-queries'),
    });
  } else {
    const stray = KMEANS_FLAGS.find((flag) => parsed.values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} is an option of --by kmeans`, 'shard');
  }
  const index = openReadOnly(parsed, path);
  try {
    const result = await splitIndex(index, dir, options);
    if (parsed.values.json === true) {
      print(result);
      return;
    }
    const lines = result.shards.map((s) => `${s.path}\t${s.count} items\t${s.bytes} bytes\t${Math.round(s.buildMs)} ms\n`);
    if (result.recall) lines.push(`recall@10 by shards probed: ${result.recall.byProbe.map((r) => r.toFixed(3)).join(' ')}\n`);
    process.stdout.write(`${lines.join('')}wrote ${result.shards.length} shards and ${result.manifest} in ${Math.round(result.durationMs)} ms\n`);
  } finally {
    index.close();
  }
}
