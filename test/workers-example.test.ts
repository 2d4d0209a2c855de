// examples/workers run as a user would run it: a real process whose worker
// threads and child processes search one file while its main thread adds,
// updates and deletes vectors and commits incremental builds. The readers
// check each answer against the writer's plan; this test checks their
// summary, and then the file the run left against the same plan.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Index } from '../src/index';
// @ts-expect-error plain ESM example code
import { Schedule, vectorOf } from '../examples/workers/schedule.mjs';
import { tempDir } from './helpers/tmp';

const RUN = path.join(__dirname, '..', 'examples', 'workers', 'run.mjs');

interface Reader {
  name: string;
  searches: number;
  asyncSearches: number;
  errors: number;
  inconsistencies: number;
  generations: number;
  firstGeneration: number;
  lastGeneration: number;
  problems: string[];
}
interface Summary {
  writer: { generations: number; incrementalBuilds: number; items: number };
  readers: Reader[];
  ok: boolean;
}

describe('examples/workers', () => {
  it('worker threads and child processes read consistent generations while a writer builds', async () => {
    const file = path.join(tempDir('workers-example'), 'shared.arroy');
    const { stdout } = await promisify(execFile)(process.execPath, [RUN, '--seconds', '5', '--workers', '2', '--processes', '2', '--file', file], { timeout: 60_000 });
    const summary = JSON.parse(stdout) as Summary;

    expect(summary.readers.map((r) => r.name).sort()).toEqual(['process-0', 'process-1', 'worker-0', 'worker-1']);
    for (const reader of summary.readers) {
      expect(reader.problems, reader.name).toEqual([]);
      expect(reader.errors, reader.name).toBe(0);
      expect(reader.inconsistencies, reader.name).toBe(0);
      expect(reader.searches, reader.name).toBeGreaterThan(10);
      expect(reader.asyncSearches, reader.name).toBeGreaterThan(0);
      expect(reader.generations, reader.name).toBeGreaterThan(1);
      expect(reader.lastGeneration, reader.name).toBeGreaterThan(reader.firstGeneration);
      expect(reader.lastGeneration, reader.name).toBeLessThan(summary.writer.generations);
    }
    expect(summary.writer.generations).toBeGreaterThanOrEqual(5);
    expect(summary.writer.incrementalBuilds).toBe(summary.writer.generations - 1);
    expect(summary.ok).toBe(true);

    // The file holds the plan's last generation: every id, with its last version.
    const last = new Schedule().state(summary.writer.generations - 1) as Map<number, number>;
    const index = Index.open(file, { readOnly: true });
    try {
      expect(index.size).toBe(last.size);
      expect(summary.writer.items).toBe(last.size);
      expect([...index.ids()]).toEqual([...last.keys()].sort((a, b) => a - b));
      for (const [id, version] of [...last].slice(-50)) expect(index.get(id)).toEqual(vectorOf(id, version));
    } finally {
      index.close();
    }
  }, 90_000);
});
