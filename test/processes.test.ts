// Several processes on one file: one writer at a time (a second writer's
// build waits for the first's commit, off the event loop), readers never
// blocked and always on one committed snapshot.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { tempIndexPath } from './helpers/tmp';
// @ts-expect-error plain ESM helpers shared with the child processes
import { DIMENSIONS, History, applyChanges, expectGeneration } from './stress/verify-exports.mjs';

describe('processes', () => {
  it('runs two writer processes building at once one after the other, losing no commit', async () => {
    const file = tempIndexPath('two-writers');
    const index = Index.open(file, { dimensions: 8, distance: 'euclidean' });
    for (let id = 0; id < 100; id++) index.add(id, Float32Array.from({ length: 8 }, (_, j) => Math.cos(id + j)));
    await index.build({ seed: 1 });
    const writer = path.join(__dirname, 'fixtures', 'proc-writer.mjs');
    const children = ['1000', '10000'].map((from) => {
      const child = spawn(process.execPath, [writer, file, from, '4000'], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      const ready = new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()).startsWith('ready\n') && resolve()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      return { child, ready, exited, output: () => JSON.parse(out.slice('ready\n'.length)) };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.write('go\n'); // both builds start together
    expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0]);
    const [a, b] = children.map((c) => c.output());
    const [first, second] = a.committed <= b.committed ? [a, b] : [b, a];
    // Both started before either committed: the second waited for the write lock.
    expect(second.started).toBeLessThan(first.committed);
    expect(first.items).toBeGreaterThanOrEqual(4100);
    expect(second.items).toBe(8100);
    expect(index.size).toBe(8100);
    const ids = [...index.ids()];
    expect(ids.length).toBe(8100);
    expect(ids.filter((id) => id >= 1000 && id < 5000).length).toBe(4000);
    expect(ids.filter((id) => id >= 10000 && id < 14000).length).toBe(4000);
    index.check();
    index.close();
  });

  it('lets a reader process search without pause while this process commits, always on one committed state', async () => {
    const file = tempIndexPath('reader-writer');
    const index = Index.open(file, { name: 'num', dimensions: DIMENSIONS, distance: 'euclidean' });
    const history = new History();
    applyChanges(history.step(), index);
    await index.build({ seed: 1 });
    const reader = spawn(process.execPath, [path.join(__dirname, 'stress', 'reader.mjs'), file, '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    reader.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise((resolve) => reader.on('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      const changes = history.step();
      applyChanges(changes, index);
      await index.build({ rebuild: changes.rebuild, seed: changes.generation });
    }
    const summary = JSON.parse(out);
    expect(summary.firstError).toBeUndefined();
    expect(summary.errors).toBe(0);
    expect(summary.searches).toBeGreaterThan(100);
    expect(summary.generation).toBeGreaterThan(1);
    expectGeneration(index, new History(), history.generation, false);
    index.close();
  });
});
