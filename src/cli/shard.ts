/**
 * The shard command: splits an index into N snapshot files by id/key hash
 * (splitIndex), for serving each shard from its own process or function.
 */
import { splitIndex } from '../shards';
import { openReadOnly } from './read';
import { BUILD_OPTIONS, integer, parse, positionals } from './options';
import { print } from './output';
import { UsageError } from './usage';
import { buildOptions } from './write';

export async function shardCommand(args: string[]): Promise<void> {
  const parsed = parse('shard', args, { ...BUILD_OPTIONS, shards: { type: 'string' } });
  const [path, dir] = positionals('shard', parsed, ['index', 'dir']);
  const shards = integer('shard', parsed.values, 'shards');
  if (shards === undefined) throw new UsageError('--shards N is required', 'shard');
  const build = buildOptions('shard', parsed.values);
  const index = openReadOnly(parsed, path);
  try {
    const result = await splitIndex(index, dir, { shards, by: 'hash', build });
    if (parsed.values.json === true) {
      print(result);
      return;
    }
    const lines = result.shards.map((s) => `${s.path}\t${s.count} items\t${s.bytes} bytes\t${Math.round(s.buildMs)} ms\n`);
    process.stdout.write(`${lines.join('')}wrote ${result.shards.length} shards in ${Math.round(result.durationMs)} ms\n`);
  } finally {
    index.close();
  }
}
