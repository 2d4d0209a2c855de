// A reader process for the soak test: searches the index 'num' in a loop and
// checks every result against the history of plan.mjs. A result is
// consistent when one committed generation g, no older than the last one
// this reader saw (snapshots only move forward), holds every returned id,
// each returned distance is the distance from the query to the vector that
// generation wrote for the id, and the results are sorted. Prints a JSON
// summary.
//
//   node reader.mjs <file> <seconds> [mapSize]
import { Index } from '../../dist/index.mjs';
import { DIMENSIONS, History, distance, vectorOf } from './plan.mjs';

const [file, secondsArg, mapSizeArg] = process.argv.slice(2);
const mapSize = mapSizeArg ? Number(mapSizeArg) : undefined;
const deadline = Date.now() + Number(secondsArg) * 1000;
const history = new History();
const K = 10;
const LOOKAHEAD = 400;

function consistentWith(hits, query, g) {
  if (hits.length === 0 || hits.length > Math.min(K, history.sizes[g])) return false;
  for (let i = 0; i < hits.length; i++) {
    if (i > 0 && hits[i].distance < hits[i - 1].distance) return false;
    const version = history.versionAt(hits[i].id, g);
    if (version < 0) return false;
    const expected = distance(query, vectorOf(hits[i].id, version));
    if (Math.abs(expected - hits[i].distance) > 1e-4 * Math.max(1, expected)) return false;
  }
  return new Set(hits.map((h) => h.id)).size === hits.length;
}

let searches = 0;
let errors = 0;
let firstError;
let seen = 1;
const index = Index.open(file, { name: 'num', readOnly: true, mapSize });
let seed = process.pid;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
while (Date.now() < deadline) {
  const query = new Float32Array(DIMENSIONS);
  for (let j = 0; j < DIMENSIONS; j++) query[j] = (random() - 0.5) * 8;
  query[0] = random() * 20;
  try {
    const hits = index.search(query, { k: K });
    searches++;
    history.advanceTo(seen + LOOKAHEAD);
    let match = -1;
    for (let g = seen; g <= seen + LOOKAHEAD && match < 0; g++) if (consistentWith(hits, query, g)) match = g;
    if (match < 0) throw new Error(`result consistent with no generation from ${seen}: ${JSON.stringify(hits)}`);
    seen = match;
  } catch (error) {
    errors++;
    firstError ??= String(error?.stack ?? error);
  }
}
index.close();
process.stdout.write(JSON.stringify({ searches, errors, firstError, generation: seen }));
