/**
 * The commands that change an index: build, add and delete. Each adds its
 * changes to one Index and commits them with one build, cancelled by Ctrl-C.
 */
import * as fs from 'node:fs';
import { Index, type Distance, type OpenOptions } from '../arroy-index';
import type { BuildOptions, BuildResult } from '../build';
import { ArroyError } from '../errors';
import { readInput, type InputRecord } from './inputs';
import { BUILD_OPTIONS, idArgument, integer, parse, positionals, string, type Parsed } from './options';
import { print } from './output';
import { progressReporter, type ProgressReporter } from './progress';
import { UsageError } from './usage';

const DISTANCES = ['cosine', 'euclidean', 'manhattan', 'dot'];
const READ_NOTE_EVERY = 100_000;

export function buildOptions(command: string, values: Parsed['values']): BuildOptions {
  const options: BuildOptions = {};
  const trees = integer(command, values, 'trees');
  const seed = integer(command, values, 'seed');
  const threads = integer(command, values, 'threads');
  if (trees !== undefined) options.trees = trees;
  if (seed !== undefined) options.seed = seed;
  if (threads !== undefined) options.threads = threads;
  return options;
}

/** Adds one input record, keyed as the index wants it; bad attributes name the record. */
function addRecord(index: Index, record: InputRecord, where: string): void {
  const options = record.attributes === undefined ? undefined : { attributes: record.attributes };
  try {
    if (index.keys === 'string') {
      // Rows of .fvecs/.npy files carry only their row number: it becomes the key.
      index.add(record.key ?? String(record.id), record.vector, options);
    } else {
      if (record.key !== undefined) throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${where}: "key" given, but this index has numeric ids (build it with --keys string)`);
      index.add(record.id as number, record.vector, options);
    }
  } catch (error) {
    if (error instanceof ArroyError && !error.message.startsWith(where)) throw new ArroyError(error.code, `${where}: ${error.message}`);
    throw error;
  }
}

async function addInput(input: string, open: (first: InputRecord) => Index, progress: ProgressReporter): Promise<Index | undefined> {
  let index: Index | undefined;
  let count = 0;
  for await (const record of readInput(input)) {
    index ??= open(record);
    addRecord(index, record, `${input}: record ${count}`);
    if (++count % READ_NOTE_EVERY === 0) progress.note(`read ${count} vectors`);
  }
  return index;
}

/** Runs the build with progress on stderr; the first Ctrl-C aborts it, a second one kills. */
async function commit(index: Index, options: BuildOptions, progress: ProgressReporter): Promise<BuildResult> {
  const controller = new AbortController();
  const onSigint = () => {
    process.off('SIGINT', onSigint);
    progress.note('cancelling the build (Ctrl-C again to kill)');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  try {
    return await index.build({ ...options, signal: controller.signal, onProgress: (p) => progress.update(p) });
  } finally {
    process.off('SIGINT', onSigint);
    progress.finish();
  }
}

function report(result: BuildResult, json: boolean): void {
  if (json) print(result);
  else process.stdout.write(`built ${result.items} items, ${result.trees} trees${result.graph ? ', graph' : ''}, ${result.incremental ? 'incremental' : 'full'} build in ${Math.round(result.durationMs)} ms\n`);
}

export async function buildCommand(args: string[]): Promise<void> {
  const parsed = parse('build', args, { ...BUILD_OPTIONS, distance: { type: 'string' }, keys: { type: 'string' } });
  const [path, input] = positionals('build', parsed, ['index', 'input']);
  const distance = string(parsed.values, 'distance');
  if (distance === undefined) throw new UsageError('--distance is required (cosine, euclidean, manhattan or dot)', 'build');
  if (!DISTANCES.includes(distance)) throw new UsageError(`--distance must be one of ${DISTANCES.join(', ')}, got '${distance}'`, 'build');
  const keys = string(parsed.values, 'keys');
  if (keys !== undefined && keys !== 'number' && keys !== 'string') throw new UsageError(`--keys must be number or string, got '${keys}'`, 'build');
  const options = buildOptions('build', parsed.values);
  const progress = progressReporter();
  const index = await addInput(
    input,
    (first) => {
      const open: OpenOptions = { dimensions: first.vector.length, distance: distance as Distance, keys: (keys ?? (first.key !== undefined ? 'string' : 'number')) as 'string' | 'number' };
      const name = string(parsed.values, 'name');
      if (name !== undefined) open.name = name;
      return Index.open(path, open);
    },
    progress,
  );
  if (index === undefined) throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${input}: holds no vectors`);
  try {
    report(await commit(index, options, progress), parsed.values.json === true);
  } finally {
    index.close();
  }
}

function openExisting(parsed: Parsed, path: string): Index {
  // Index.open would create a missing file; add and delete need an index to change.
  if (!fs.existsSync(path)) throw new ArroyError('ERR_ARROY_NOT_AN_INDEX', `${path} does not exist; create it with 'arroy-ts build'`);
  const name = string(parsed.values, 'name');
  return Index.open(path, name === undefined ? {} : { name });
}

export async function addCommand(args: string[]): Promise<void> {
  const parsed = parse('add', args, BUILD_OPTIONS);
  const [path, input] = positionals('add', parsed, ['index', 'input']);
  const options = buildOptions('add', parsed.values);
  const index = openExisting(parsed, path);
  try {
    const progress = progressReporter();
    const added = await addInput(input, () => index, progress);
    if (added === undefined) throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `${input}: holds no vectors`);
    report(await commit(index, options, progress), parsed.values.json === true);
  } finally {
    index.close();
  }
}

export async function deleteCommand(args: string[]): Promise<void> {
  const parsed = parse('delete', args, BUILD_OPTIONS);
  const [path, ...items] = positionals('delete', parsed, ['index', 'id or key'], true);
  const options = buildOptions('delete', parsed.values);
  const index = openExisting(parsed, path);
  try {
    for (const item of items) index.delete(index.keys === 'string' ? item : idArgument('delete', item));
    report(await commit(index, options, progressReporter()), parsed.values.json === true);
  } finally {
    index.close();
  }
}
