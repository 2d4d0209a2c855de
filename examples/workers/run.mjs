#!/usr/bin/env node
// One index file, read by worker threads and child processes while this
// process writes it: each generation adds, updates and deletes vectors and
// commits with an incremental build. Readers check every search against the
// writer's plan and report; this prints one JSON summary.
//
//   node examples/workers/run.mjs [--seconds 10] [--workers 2] [--processes 2] [--file path]
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Index } from 'arroy-ts';
import { DIMENSIONS, Schedule, vectorOf } from './schedule.mjs';

const READER = new URL('./reader.mjs', import.meta.url);

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    processes: { type: 'string', default: '2' },
    file: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const workerCount = Number(values.workers);
const processCount = Number(values.processes);
const scratch = values.file ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-workers-'));
const file = values.file ?? path.join(scratch, 'shared.arroy');

/** Applies generation g of the plan to the index and commits it. */
async function commit(index, schedule, g) {
  const { adds, updates, deletes } = schedule.changes(g);
  const state = schedule.state(g);
  for (const id of deletes) index.delete(id);
  for (const id of [...updates, ...adds]) index.add(id, vectorOf(id, state.get(id)));
  const result = await index.build({ threads: 1 });
  if (result.items !== state.size) throw new Error(`generation ${g}: ${result.items} items, the plan has ${state.size}`);
  return result;
}

/** The report of a reader that died: one error, so the run fails and says why. */
const failed = (name, error) => ({ name, searches: 0, asyncSearches: 0, errors: 1, inconsistencies: 0, generations: 0, problems: [`${error.code ?? 'error'}: ${error.message}`] });

/** Starts a reader and returns { stop(): Promise<report> }. */
function startReader(kind, i) {
  const name = `${kind}-${i}`;
  const seed = 1_000 + i + (kind === 'process' ? 100 : 0);
  if (kind === 'worker') {
    const worker = new Worker(READER, { workerData: { file, name, seed } });
    const report = new Promise((resolve) => {
      worker.once('message', resolve);
      worker.once('error', (error) => resolve(failed(name, error)));
    });
    return { stop: () => (worker.postMessage('stop'), report) };
  }
  const child = fork(READER, [file, name, String(seed)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const report = new Promise((resolve) => {
    child.once('message', resolve);
    child.once('error', (error) => resolve(failed(name, error)));
    child.once('exit', (code) => resolve(failed(name, new Error(`exited with ${code} before reporting`))));
  });
  return { stop: () => (child.connected && child.send('stop'), report) };
}

const schedule = new Schedule();
const index = Index.open(file, { dimensions: DIMENSIONS, distance: 'euclidean' });
await commit(index, schedule, 0);

const readers = [
  ...Array.from({ length: workerCount }, (_, i) => startReader('worker', i)),
  ...Array.from({ length: processCount }, (_, i) => startReader('process', i)),
];

const writer = { generations: 1, incrementalBuilds: 0, items: index.size, buildMs: 0, errors: [] };
const deadline = Date.now() + seconds * 1_000;
try {
  while (Date.now() < deadline) {
    const result = await commit(index, schedule, writer.generations);
    writer.generations++;
    if (result.incremental) writer.incrementalBuilds++;
    writer.items = result.items;
    writer.buildMs += result.durationMs;
  }
} catch (error) {
  // Stop the readers and say what failed, rather than leave them running.
  writer.errors.push(`${error.code ?? 'error'}: ${error.message}`);
}
writer.buildMs = Math.round(writer.buildMs);

const reports = await Promise.all(readers.map((reader) => reader.stop()));
try {
  index.check();
} catch (error) {
  writer.errors.push(`check: ${error.code ?? 'error'}: ${error.message}`);
}
index.close();
if (scratch) fs.rmSync(scratch, { recursive: true, force: true });

const ok = writer.errors.length === 0 && reports.every((r) => r.searches > 0 && r.errors === 0 && r.inconsistencies === 0);
console.log(JSON.stringify({ seconds, file: values.file, writer, readers: reports, ok }, null, 2));
process.exitCode = ok ? 0 : 1;
