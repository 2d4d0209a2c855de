// Drives the crash and soak tests: writer and reader processes (writer.mjs,
// reader.mjs) over the history of plan.mjs, checked from this process.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Database, Index } from '../../src/index';
// @ts-expect-error plain ESM helpers shared with the child processes
import { History, expectGeneration, whichGeneration } from './verify.mjs';

const here = __dirname;
export const SMALL_MAP = 1 << 20;

export interface Writer {
  child: ChildProcess;
  committed: number;
  building: number;
  lines: string[];
  exited: Promise<number | null>;
  onLine: (line: string) => void;
}

export function startWriter(file: string, mode: 'soak' | 'crash', from: number, seconds: number, mapSize?: number): Writer {
  const args = [path.join(here, 'writer.mjs'), file, mode, String(from), String(seconds)];
  if (mapSize) args.push(String(mapSize));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const writer: Writer = {
    child,
    committed: from,
    building: from,
    lines: [],
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    onLine: () => {},
  };
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let end;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const [what, g] = line.split(' ');
      if (what === 'committed') writer.committed = Number(g);
      if (what === 'building') writer.building = Number(g);
      writer.lines.push(line);
      writer.onLine(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => writer.lines.push(`stderr: ${chunk}`));
  return writer;
}

export function waitFor(writer: Writer, predicate: (line: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    writer.onLine = (line) => {
      if (predicate(line)) resolve();
    };
    writer.exited.then((code) => reject(new Error(`the writer exited (${code}): ${writer.lines.slice(-5).join(' | ')}`)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks that the crash-test file holds generation g (both indexes). */
function checkCrashFile(file: string, history: unknown, g: number): void {
  const db = Database.open(file);
  try {
    const names = db.names();
    if (g === 0) {
      // Before the first commit: the indexes may exist, empty.
      for (const name of names) if (db.index(name).size !== 0) throw new Error(`index ${name} is not empty`);
      return;
    }
    if (!names.includes('num') || !names.includes('str')) throw new Error(`indexes missing: ${names}`);
    expectGeneration(db.index('num'), history, g, false);
    expectGeneration(db.index('str'), history, g, true);
  } finally {
    db.close();
  }
}

export interface CrashReport {
  kills: number;
  killedMidBuild: number;
  generation: number;
  landedBeforeReport: number;
}

/**
 * SIGKILLs a writer `kills` times, each at a random moment while it builds;
 * after each kill the file must hold the last generation the writer reported
 * committed, or the one after it (committed but not yet reported).
 */
export async function crashTest(file: string, kills: number, seed = 1): Promise<CrashReport> {
  let s = seed;
  const random = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const history = new History();
  let generation = 0;
  let killedMidBuild = 0;
  let landedBeforeReport = 0;
  for (let kill = 0; kill < kills; kill++) {
    const writer = startWriter(file, 'crash', generation, 3600);
    // Let it start 1 to 3 builds, then kill it a few milliseconds into the last.
    const builds = 1 + Math.floor(random() * 3);
    let started = 0;
    await waitFor(writer, (line) => line.startsWith('building') && ++started === builds);
    await sleep(random() * 40);
    const midBuild = writer.building > writer.committed;
    writer.child.kill('SIGKILL');
    await writer.exited;
    if (midBuild) killedMidBuild++;
    const reported = writer.committed;
    generation = whichGeneration([reported, reported + 1], (g: number) => checkCrashFile(file, history, g));
    if (generation > reported) landedBeforeReport++;
  }
  return { kills, killedMidBuild, generation, landedBeforeReport };
}

export interface SoakReport {
  searches: number;
  errors: number;
  generations: number;
  firstError?: string;
}

/** One writer and `readers` reader processes on one file for `seconds`; every result checked. */
export async function soakTest(file: string, seconds: number, readers: number, mapSize = SMALL_MAP): Promise<SoakReport> {
  const writer = startWriter(file, 'soak', 0, seconds + 1, mapSize);
  await waitFor(writer, (line) => line === 'committed 1');
  const results = await Promise.all(
    Array.from({ length: readers }, () =>
      new Promise<{ searches: number; errors: number; firstError?: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(here, 'reader.mjs'), file, String(seconds), String(mapSize)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('exit', (code) => {
          try {
            resolve(JSON.parse(out));
          } catch {
            reject(new Error(`a reader exited with ${code} and printed ${out}`));
          }
        });
      }),
    ),
  );
  writer.onLine = () => {};
  const code = await writer.exited;
  const report: SoakReport = {
    searches: results.reduce((n, r) => n + r.searches, 0),
    errors: results.reduce((n, r) => n + r.errors, 0) + (code === 0 ? 0 : 1),
    generations: writer.committed,
    firstError: results.find((r) => r.firstError)?.firstError ?? (code === 0 ? undefined : writer.lines.slice(-5).join(' | ')),
  };
  const index = Index.open(file, { name: 'num', readOnly: true });
  try {
    expectGeneration(index, new History(), writer.committed, false);
  } finally {
    index.close();
  }
  return report;
}
