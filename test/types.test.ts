// Type-level API checks: test/types/keys.ts is compiled by tsc. Each
// `@ts-expect-error` there must mark a real error (Index<string>.add(5, v),
// a misspelled option, ...), and the same file with the directives removed
// must fail on exactly those lines, so the check cannot pass vacuously.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const source = path.join(__dirname, 'types', 'keys.ts');
const compilerFlags = ['--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--lib', 'ES2022,ESNext.Disposable', '--types', 'node', '--skipLibCheck'];

function compile(file: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [tsc, ...compilerFlags, file, path.join(root, 'src', 'node-gyp-build.d.ts')], { cwd: root, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('types', () => {
  it('Index<K> rejects the other key kind, misspelled options and non-matrix batches at compile time; using compiles', () => {
    const checked = compile(source);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);

    const lines = fs.readFileSync(source, 'utf8').split('\n');
    const expectedErrorLines = lines.flatMap((line, i) => (line.trim().startsWith('// @ts-expect-error') ? [i + 2] : []));
    expect(expectedErrorLines.length).toBeGreaterThanOrEqual(10);
    // Blank the directives, keeping line numbers.
    const stripped = path.join(__dirname, 'types', 'keys.stripped.ts');
    fs.writeFileSync(stripped, lines.map((l) => (l.trim().startsWith('// @ts-expect-error') ? '' : l)).join('\n'));
    try {
      const failed = compile(stripped);
      expect(failed.status).not.toBe(0);
      const errorLines = [...new Set([...failed.output.matchAll(/keys\.stripped\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])))];
      expect(errorLines.sort((a, b) => a - b)).toEqual(expectedErrorLines);
    } finally {
      fs.rmSync(stripped, { force: true });
    }
  });
});
