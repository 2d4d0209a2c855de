/**
 * Usage errors (exit code 2) and the help texts of the tool and its commands.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const TOOL_HELP = `arroy-ts: approximate nearest-neighbour indexes in an LMDB file

Usage: arroy-ts <command> <index> [arguments] [options]

Commands:
  build <index> <input>        add every vector of <input>, then build (creates the index)
  add <index> <input>          add the vectors of <input> to an existing index, then build
  delete <index> <id|key>...   delete items, then build
  search <index>               nearest neighbours of a vector, an id or a key
  stats <index>                what the index holds
  check <index>                verify the file's structure (--deep: every vector too)
  snapshot <index> <dest>      write a compact, checksummed copy
  shard <index> <dir>          split into --shards N snapshot files by id/key hash or k-means
  serve <index>                an HTTP search service over the file (docs/SERVE.md)

Inputs: .fvecs, .npy (float32, 2-D) or JSON lines ({"id": n | "key": "s", "vector": [...]}).
Run 'arroy-ts <command> --help' for a command's options.

Options:
  -h, --help      show help
  -v, --version   print the version

Exit codes: 0 ok, 1 error, 2 usage error, 130 interrupted.`;

const NAME = `  --name NAME        which index of the file (default 'default')`;
const BUILD = `  --trees N          trees in the forest (default: from the item count)
  --seed N           seed of the random planes
  --threads N        build threads (default: every core)
  --json             print the build result as JSON`;

export const COMMAND_HELP: Record<string, string> = {
  build: `Usage: arroy-ts build <index> <input> --distance D [options]

Creates the index if needed, adds every vector of <input> and builds.
Rows of .fvecs and .npy inputs are keyed by their row number (0, 1, ...).
A progress bar with an ETA goes to stderr; Ctrl-C cancels the build (nothing is committed).

Options:
  --distance D       cosine | euclidean | manhattan | dot (required)
${NAME}
  --keys KIND        number | string (default: string when the first JSON line has "key")
${BUILD}`,
  add: `Usage: arroy-ts add <index> <input> [options]

Adds (or replaces) the vectors of <input> in an existing index and builds.

Options:
${NAME}
${BUILD}`,
  delete: `Usage: arroy-ts delete <index> <id|key>... [options]

Deletes items by id (numeric indexes) or key (string-keyed indexes) and builds.

Options:
${NAME}
${BUILD}`,
  search: `Usage: arroy-ts search <index> (--vector FILE | --id N | --key S) [options]

Prints the nearest neighbours: rank, id, key (string-keyed indexes) and distance.

Options:
  --vector FILE      the query: .fvecs (first row), .npy (one vector) or .json (an array)
  --id N             the query is the stored item N
  --key S            the query is the stored item with key S
  --k N              neighbours to return (default 10)
  --recall R         recall@10 to aim for, in (0, 1]; 1 searches exactly (default 0.95)
  --ef N             expert: the graph search's beam width (overrides --recall)
  --filter LIST      only these ids or keys, comma separated; or a JSON attribute
                     predicate, e.g. '{"genre":"rock","year":{"$gte":1990}}'
  --attributes       print each result's attributes (a JSON column; with --json, a field)
${NAME}
  --json             print a JSON array of {id, key?, distance}`,
  stats: `Usage: arroy-ts stats <index> [options]

Options:
${NAME}
  --json             print the full stats as JSON`,
  check: `Usage: arroy-ts check <index> [options]

Verifies the index's records and trees; exits 1 with ERR_ARROY_CORRUPT when damaged.

Options:
  --deep             also verify every stored vector's checksum
${NAME}`,
  snapshot: `Usage: arroy-ts snapshot <index> <dest> [options]

Writes a compact, checksummed copy of the index (or with --whole-file, of every index of the file).

Options:
  --whole-file       copy every index of the file
${NAME}
  --json             print the result as JSON`,
  shard: `Usage: arroy-ts shard <index> <dir> --shards N [options]

Splits the index into N indexes, by the FNV-1a hash of each id or key
(shardOf) or by a k-means partition (a query then searches only its nearest
shards), builds each and writes it as a checksummed snapshot
<dir>/shard-<i>.arroy, with the manifest <dir>/shards.json a router reads.
Prints each shard's path, item count, bytes and build time; for k-means also
the recall@10 measured on held-out items by shards probed.

Options:
  --shards N         how many shards, 1 to 65535 (required)
  --by hash|kmeans   how items are assigned (default hash)
  --balance X        k-means: the largest shard holds at most X times the mean (default 1.5)
  --sample N         k-means: items the centroids are trained on (default 50000)
  --recall-queries N k-means: held-out items the recall curve is measured on (default 200; 0: none)
${NAME}
${BUILD}`,
  serve: `Usage: arroy-ts serve <index> [options]
       arroy-ts serve <index> --create-key [--project P]

Serves the file over HTTP: projects, collections (indexes named <project>/<collection>),
items, batch inserts and search, with x-api-key auth (routes: docs/SERVE.md).
Writes are grouped into builds. Prints 'listening on URL'; SIGINT or SIGTERM
commits the queued writes and exits.

Options:
  --port N           TCP port (default 8080; 0 picks a free one)
  --host H           address to listen on (default 127.0.0.1)
  --api-key-file F   projects and hashed API keys (default <index>.keys.json)
  --body-limit N     largest request body in bytes, else 413 (default 16 MiB)
  --batch-ms N       how long the first queued write waits for others (default 20)
  --batch-items N    a build starts at once when this many changes wait (default 5000)
  --log              log every request as a JSON line on stdout
  --json             print {url, keyFile} as JSON when listening
  --create-key       add an API key to the key file, print it and exit: an admin
                     key, or with --project P a key of project P (created if new)`,
};
