// A reader: searches the shared index until told to stop, and checks every
// answer against the writer's plan (schedule.mjs). Runs as a worker thread
// (started by run.mjs with workerData) or as a child process (forked, with
// the file as its argument); it reports one summary object either way.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Index } from 'arroy-ts';
import { Schedule, euclidean, queryFrom, random, vectorOf } from './schedule.mjs';

const K = 10;

/** Whether `hits` is exactly what a search over generation `g` could return. */
function fitsGeneration(schedule, g, query, hits) {
  const state = schedule.state(g);
  const seen = new Set();
  for (const hit of hits) {
    const version = state.get(hit.id);
    if (version === undefined || seen.has(hit.id)) return false;
    seen.add(hit.id);
    // The distance proves which version of the vector the search scored.
    const expected = euclidean(query, vectorOf(hit.id, version));
    if (Math.abs(hit.distance - expected) > 1e-4 * (1 + expected)) return false;
  }
  return hits.length === Math.min(K, state.size);
}

export async function read({ file, name, readOnly, seed, stopped }) {
  const index = Index.open(file, { readOnly });
  const schedule = new Schedule();
  const next = random(seed);
  const report = { name, searches: 0, asyncSearches: 0, errors: 0, inconsistencies: 0, generations: 0, firstGeneration: undefined, lastGeneration: undefined, problems: [] };
  const seen = new Set();
  const problem = (text) => {
    report.inconsistencies++;
    if (report.problems.length < 5) report.problems.push(text);
  };
  let lastSize = 0;
  const readSize = () => {
    const size = index.size;
    if (size < lastSize) problem(`size went back from ${lastSize} to ${size}`);
    lastSize = size;
    const g = schedule.generationOfSize(size);
    if (g === undefined) problem(`size ${size} is no generation's`);
    return g;
  };
  while (!stopped()) {
    try {
      // Each call reads its own snapshot, so the search saw a generation
      // between the one the size read before it and the one read after it.
      const before = readSize();
      const query = queryFrom(next);
      const useAsync = report.searches % 2 === 1;
      const hits = useAsync ? await index.searchAsync(query, { k: K }) : index.search(query, { k: K });
      const after = readSize();
      report.searches++;
      if (useAsync) report.asyncSearches++;
      if (before === undefined || after === undefined) continue;
      let fits = false;
      for (let g = before; g <= after && !fits; g++) fits = fitsGeneration(schedule, g, query, hits);
      if (!fits) problem(`search ${report.searches}: results fit no generation in ${before}..${after}`);
      for (const g of [before, after]) seen.add(g);
      report.firstGeneration ??= before;
      report.lastGeneration = after;
    } catch (error) {
      report.errors++;
      if (report.problems.length < 5) report.problems.push(`${error.code ?? 'error'}: ${error.message}`);
    }
    // Let the stop message in between synchronous searches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  report.generations = seen.size;
  index.close();
  return report;
}

if (!isMainThread) {
  // A worker thread of the writer's process: LMDB shares one environment per
  // process, and readOnly must agree within it, so it opens the file as the
  // writer does (it only reads).
  let stop = false;
  parentPort.on('message', (message) => { if (message === 'stop') stop = true; });
  const report = await read({ ...workerData, readOnly: false, stopped: () => stop });
  parentPort.postMessage(report);
  parentPort.unref();
} else if (process.send) {
  // A child process: its own environment, so it can open the file read-only.
  const [file, name, seed] = process.argv.slice(2);
  let stop = false;
  process.on('message', (message) => { if (message === 'stop') stop = true; });
  // A writer that died cannot send 'stop': its channel closing is one too.
  process.on('disconnect', () => { stop = true; });
  const report = await read({ file, name, seed: Number(seed), readOnly: true, stopped: () => stop });
  if (process.connected) process.send(report, () => process.disconnect());
}
