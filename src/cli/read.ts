/**
 * The commands that only read an index: search, stats, check and snapshot.
 * They open it read-only, so they never create or change a file.
 */
import * as fs from 'node:fs';
import { Index, type Neighbor, type SearchOptions } from '../arroy-index';
import type { Where } from '../attributes';
import { ArroyError } from '../errors';
import { readQueryVector } from './inputs';
import { idArgument, integer, number, parse, positionals, string, type Parsed } from './options';
import { print } from './output';
import { UsageError } from './usage';

export function openReadOnly(parsed: Parsed, path: string): Index {
  // A missing file would surface as an LMDB error; say plainly what is wrong.
  if (!fs.existsSync(path)) throw new ArroyError('ERR_ARROY_NOT_AN_INDEX', `${path} does not exist`);
  const name = string(parsed.values, 'name');
  return Index.open(path, name === undefined ? { readOnly: true } : { readOnly: true, name });
}

/** The search's options; malformed numbers are usage errors, found before the file is opened. */
function searchOptions(parsed: Parsed): SearchOptions {
  const options: SearchOptions = {};
  const k = integer('search', parsed.values, 'k');
  const recall = number('search', parsed.values, 'recall');
  const ef = integer('search', parsed.values, 'ef');
  if (k !== undefined) options.k = k;
  if (recall !== undefined) options.recall = recall;
  if (ef !== undefined) options.ef = ef;
  return options;
}

/**
 * --filter: a JSON object is an attribute predicate (`where`), anything else
 * comma-separated ids or keys, as the index's key kind wants them.
 */
function applyFilter(parsed: Parsed, index: Index, options: SearchOptions): void {
  const filter = string(parsed.values, 'filter');
  if (filter === undefined) return;
  if (filter.trimStart().startsWith('{')) {
    try {
      options.where = JSON.parse(filter) as Where;
    } catch (error) {
      throw new UsageError(`--filter is not valid JSON (${(error as Error).message})`, 'search');
    }
    return;
  }
  const items = filter.split(',').filter((s) => s !== '');
  options.filter = index.keys === 'string' ? items : items.map((s) => idArgument('search', s));
}

function printNeighbors(neighbors: Neighbor[], json: boolean): void {
  if (json) {
    print(neighbors);
    return;
  }
  const lines = neighbors.map((n, rank) =>
    [String(rank + 1), String(n.id), ...(n.key !== undefined ? [n.key] : []), n.distance.toPrecision(6), ...(n.attributes !== undefined ? [JSON.stringify(n.attributes)] : [])].join('\t'),
  );
  process.stdout.write(lines.map((line) => `${line}\n`).join(''));
}

export function searchCommand(args: string[]): void {
  const parsed = parse('search', args, {
    vector: { type: 'string' },
    id: { type: 'string' },
    key: { type: 'string' },
    k: { type: 'string' },
    recall: { type: 'string' },
    ef: { type: 'string' },
    filter: { type: 'string' },
    attributes: { type: 'boolean' },
  });
  const [path] = positionals('search', parsed, ['index']);
  const queries = ['vector', 'id', 'key'].filter((name) => parsed.values[name] !== undefined);
  if (queries.length !== 1) throw new UsageError('give exactly one of --vector, --id and --key', 'search');
  const id = queries[0] === 'id' ? idArgument('search', string(parsed.values, 'id') as string) : undefined;
  const options = searchOptions(parsed);
  if (parsed.values.attributes === true) options.attributes = true;
  const index = openReadOnly(parsed, path);
  try {
    applyFilter(parsed, index, options);
    let neighbors: Neighbor[] | undefined;
    if (queries[0] === 'vector') {
      neighbors = index.search(readQueryVector(string(parsed.values, 'vector') as string), options);
    } else {
      const item = id ?? (string(parsed.values, 'key') as string);
      neighbors = index.searchById(item, options);
      if (neighbors === undefined) throw new ArroyError('ERR_ARROY_INVALID_ARGUMENT', `no item ${typeof item === 'string' ? `with key '${item}'` : item} in the index`);
    }
    printNeighbors(neighbors, parsed.values.json === true);
  } finally {
    index.close();
  }
}

export function statsCommand(args: string[]): void {
  const parsed = parse('stats', args, {});
  const [path] = positionals('stats', parsed, ['index']);
  const index = openReadOnly(parsed, path);
  try {
    const stats = index.stats();
    const summary = { path, name: index.name, distance: index.distance, keys: index.keys, ...stats };
    if (parsed.values.json === true) {
      print(summary);
      return;
    }
    const rows: [string, string | number | bigint][] = [
      ['path', path],
      ['name', index.name],
      ['distance', index.distance],
      ['keys', index.keys],
      ['dimensions', stats.dimensions],
      ['items', stats.items],
      ['trees', stats.trees.length],
      ['nodes', stats.nodes],
      ['bucket capacity', stats.bucketCapacity],
      ['slots', `${stats.slots} (${stats.freeSlots} free)`],
      ['seed', stats.seed],
    ];
    if (stats.graph) rows.push(['graph', `degree ${stats.graph.degree}, ${stats.graph.edges} edges, ${stats.graph.staleEdges} stale`]);
    process.stdout.write(rows.map(([label, value]) => `${label.padEnd(16)}${value}\n`).join(''));
  } finally {
    index.close();
  }
}

export function checkCommand(args: string[]): void {
  const parsed = parse('check', args, { deep: { type: 'boolean' } });
  const [path] = positionals('check', parsed, ['index']);
  const index = openReadOnly(parsed, path);
  try {
    const deep = parsed.values.deep === true;
    index.check({ deep });
    if (parsed.values.json === true) print({ ok: true, deep });
    else process.stdout.write(`ok: ${path} (${index.name})${deep ? ', every vector verified' : ''}\n`);
  } finally {
    index.close();
  }
}

export async function snapshotCommand(args: string[]): Promise<void> {
  const parsed = parse('snapshot', args, { 'whole-file': { type: 'boolean' } });
  const [path, destination] = positionals('snapshot', parsed, ['index', 'dest']);
  const index = openReadOnly(parsed, path);
  try {
    const result = await index.snapshot(destination, { wholeFile: parsed.values['whole-file'] === true });
    if (parsed.values.json === true) print(result);
    else process.stdout.write(`wrote ${result.path}: ${result.bytes} bytes (source ${result.sourceBytes} bytes) in ${Math.round(result.durationMs)} ms\n`);
  } finally {
    index.close();
  }
}
