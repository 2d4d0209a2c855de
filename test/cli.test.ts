/**
 * The arroy-ts CLI, run as a real child process (node dist/cli.js): usage
 * errors, inputs in every format, every command, and the GloVe round trip by
 * word key checked against the library and brute force.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Index } from '../src/index';
import { bruteForce, randomVectors } from './helpers/brute';
import { DATASETS_DIR, readWords } from './helpers/datasets.mjs';
import { tempDir } from './helpers/tmp';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function ok(...args: string[]): string {
  const run = cli(...args);
  expect(run.stderr.match(/^error.*$/m)?.[0] ?? '').toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

function fvecs(vectors: Float32Array[]): Buffer {
  return Buffer.concat(
    vectors.flatMap((v) => {
      const dim = Buffer.alloc(4);
      dim.writeInt32LE(v.length);
      return [dim, Buffer.from(v.buffer, v.byteOffset, v.byteLength)];
    }),
  );
}

function npy(vectors: Float32Array[]): Buffer {
  const dim = vectors[0].length;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${vectors.length}, ${dim}), }`;
  // Version 1.0: magic, version, u16 header length, the header padded to 64 bytes with a newline.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), ...vectors.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))]);
}

function jsonl(records: object[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

function expectStored(file: string, vectors: Float32Array[]): void {
  const index = Index.open(file, { readOnly: true });
  try {
    expect(index.size).toBe(vectors.length);
    for (const i of [0, 7, vectors.length - 1]) expect(index.get(i)).toEqual(vectors[i]);
  } finally {
    index.close();
  }
}

describe('usage', () => {
  it('exits 2 on unknown commands and flags, missing arguments and malformed values', () => {
    const dir = tempDir('cli-usage');
    const file = path.join(dir, 'x.arroy');
    for (const args of [[], ['frobnicate'], ['build', file, 'in.fvecs', '--distance', 'cosine', '--bogus'], ['build', file], ['build', file, 'in.fvecs'], ['build', file, 'in.fvecs', '--distance', 'hamming'], ['search', file], ['search', file, '--id', '1', '--key', 'a'], ['search', file, '--id', '1', '--k', 'ten'], ['stats']]) {
      const run = cli(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr + run.stdout).toMatch(/usage/i);
    }
    expect(fs.existsSync(file)).toBe(false);
  });

  it('prints help for the tool and each command, and the version', () => {
    expect(ok('--help')).toMatch(/Commands:[\s\S]*search <index>/);
    for (const command of ['build', 'add', 'delete', 'search', 'stats', 'check', 'snapshot']) {
      expect(ok(command, '--help')).toContain(`Usage: arroy-ts ${command}`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(ok('--version').trim()).toBe(manifest.version);
  });

  it('is the package bin: an executable file with a node shebang', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(path.resolve(ROOT, manifest.bin['arroy-ts'])).toBe(CLI);
    expect(fs.readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(fs.statSync(CLI).mode & 0o111).not.toBe(0);
    const direct = spawnSync(CLI, ['--version'], { encoding: 'utf8' });
    expect(direct.status).toBe(0);
    expect(direct.stdout.trim()).toBe(manifest.version);
  });
});

describe('inputs and commands', () => {
  const vectors = randomVectors(300, 12, 5);

  it('builds from .fvecs, .npy and JSON lines', () => {
    const dir = tempDir('cli-inputs');
    fs.writeFileSync(path.join(dir, 'in.fvecs'), fvecs(vectors));
    fs.writeFileSync(path.join(dir, 'in.npy'), npy(vectors));
    fs.writeFileSync(path.join(dir, 'in.jsonl'), jsonl(vectors.map((v, id) => ({ id, vector: Array.from(v) }))));
    for (const input of ['in.fvecs', 'in.npy', 'in.jsonl']) {
      const file = path.join(dir, `${input}.arroy`);
      const result = JSON.parse(ok('build', file, path.join(dir, input), '--distance', 'euclidean', '--trees', '3', '--seed', '9', '--json'));
      expect(result).toMatchObject({ items: 300, trees: 3, incremental: false });
      expectStored(file, vectors);
    }
  });

  it('searches by vector, id and key, with --k, --recall and --filter, matching the library', () => {
    const dir = tempDir('cli-search');
    const file = path.join(dir, 'x.arroy');
    fs.writeFileSync(path.join(dir, 'in.fvecs'), fvecs(vectors));
    ok('build', file, path.join(dir, 'in.fvecs'), '--distance', 'cosine');
    fs.writeFileSync(path.join(dir, 'q.json'), JSON.stringify(Array.from(vectors[42])));
    fs.writeFileSync(path.join(dir, 'q.npy'), npy([vectors[42]]));
    fs.writeFileSync(path.join(dir, 'q.fvecs'), fvecs([vectors[42], vectors[1]]));
    const index = Index.open(file, { readOnly: true });
    try {
      const expected = index.search(vectors[42], { k: 7 });
      for (const q of ['q.json', 'q.npy', 'q.fvecs']) {
        expect(JSON.parse(ok('search', file, '--vector', path.join(dir, q), '--k', '7', '--json'))).toEqual(expected);
      }
      expect(JSON.parse(ok('search', file, '--id', '42', '--k', '7', '--json'))).toEqual(index.searchById(42, { k: 7 }));
      const exact = bruteForce('cosine', vectors.map((v, id) => [id, v] as [number, Float32Array]), vectors[42], 7).map((n) => n.id);
      expect(JSON.parse(ok('search', file, '--id', '42', '--k', '7', '--recall', '1', '--json')).map((n: { id: number }) => n.id)).toEqual(exact);
      const filtered = JSON.parse(ok('search', file, '--id', '42', '--filter', '3,5,200', '--json'));
      expect(filtered.map((n: { id: number }) => n.id).sort((a: number, b: number) => a - b)).toEqual([3, 5, 200]);
      // The text output: one line per neighbour, rank then id.
      const lines = ok('search', file, '--id', '42', '--k', '3').trim().split('\n');
      expect(lines.map((l) => l.split('\t').slice(0, 2))).toEqual(expected.slice(0, 3).map((n, i) => [String(i + 1), String(n.id)]));
    } finally {
      index.close();
    }
    const missing = cli('search', file, '--id', '999');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^error ERR_ARROY_INVALID_ARGUMENT: no item 999/);
  });

  it('stores JSON lines attributes, filters on them with --filter JSON and prints them with --attributes', () => {
    const dir = tempDir('cli-attrs');
    const file = path.join(dir, 'a.arroy');
    const genre = (id: number) => ['rock', 'jazz', 'pop'][id % 3];
    fs.writeFileSync(path.join(dir, 'in.jsonl'), jsonl(vectors.map((v, id) => ({ id, vector: Array.from(v), attributes: { genre: genre(id), year: 1900 + id } }))));
    ok('build', file, path.join(dir, 'in.jsonl'), '--distance', 'euclidean');
    const where = { genre: 'jazz', year: { $lt: 2100 } };
    const got = JSON.parse(ok('search', file, '--id', '4', '--k', '5', '--recall', '1', '--filter', JSON.stringify(where), '--attributes', '--json'));
    const matching = vectors.map((v, id) => [id, v] as [number, Float32Array]).filter(([id]) => genre(id) === 'jazz' && 1900 + id < 2100);
    const truth = bruteForce('euclidean', matching, vectors[4], 5).map((n) => n.id);
    expect(got.map((n: { id: number }) => n.id)).toEqual(truth);
    for (const n of got) expect(n.attributes).toEqual({ genre: 'jazz', year: 1900 + n.id });
    const text = ok('search', file, '--id', '4', '--k', '2', '--filter', '{"genre":"jazz"}', '--attributes').trim().split('\n');
    expect(JSON.parse(text[0].split('\t')[3])).toEqual({ genre: 'jazz', year: 1900 + Number(text[0].split('\t')[1]) });
    const unknown = cli('search', file, '--id', '4', '--filter', '{"colour":"red"}');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^error ERR_ARROY_INVALID_ARGUMENT: unknown attribute field 'colour'/);
    expect(cli('search', file, '--id', '4', '--filter', '{oops').status).toBe(2);
    expect(JSON.parse(ok('stats', file, '--json')).attributes).toEqual({ fields: { genre: 'string', year: 'number' }, items: 300, postings: 600 });
  });

  it('stats, check, snapshot, delete and add', async () => {
    const dir = tempDir('cli-commands');
    const file = path.join(dir, 'x.arroy');
    fs.writeFileSync(path.join(dir, 'in.jsonl'), jsonl(vectors.slice(0, 200).map((v, i) => ({ key: `doc-${i}`, vector: Array.from(v) }))));
    ok('build', file, path.join(dir, 'in.jsonl'), '--distance', 'dot', '--name', 'docs');
    const stats = JSON.parse(ok('stats', file, '--name', 'docs', '--json'));
    expect(stats).toMatchObject({ name: 'docs', distance: 'dot', keys: 'string', items: 200, dimensions: 12 });
    expect(ok('stats', file, '--name', 'docs')).toMatch(/items\s+200/);
    expect(ok('check', file, '--name', 'docs', '--deep')).toMatch(/^ok/);

    const snap = path.join(dir, 'snap.arroy');
    const written = JSON.parse(ok('snapshot', file, snap, '--name', 'docs', '--json'));
    expect(written.bytes).toBe(fs.statSync(snap).size);
    const copy = Index.open(snap, { readOnly: true, verify: true, name: 'docs' });
    expect(copy.size).toBe(200);
    copy.close();

    ok('delete', file, 'doc-3', 'doc-4', '--name', 'docs');
    fs.writeFileSync(path.join(dir, 'more.jsonl'), jsonl(vectors.slice(200).map((v, i) => ({ key: `doc-${200 + i}`, vector: Array.from(v) }))));
    expect(JSON.parse(ok('add', file, path.join(dir, 'more.jsonl'), '--name', 'docs', '--json'))).toMatchObject({ items: 298, incremental: true });
    const index = Index.open(file, { readOnly: true, name: 'docs' });
    try {
      expect(index.has('doc-3')).toBe(false);
      expect(index.has('doc-4')).toBe(false);
      expect(index.get('doc-299')).toEqual(vectors[299]);
      expect(JSON.parse(ok('search', file, '--name', 'docs', '--key', 'doc-250', '--k', '5', '--json'))).toEqual(index.searchById('doc-250', { k: 5 }));
    } finally {
      index.close();
    }
  });

  it('exits 1 with the error code and no stack on bad files', () => {
    const dir = tempDir('cli-bad');
    const cut = path.join(dir, 'cut.fvecs');
    fs.writeFileSync(cut, fvecs(vectors.slice(0, 3)).subarray(0, 100));
    fs.writeFileSync(path.join(dir, 'attrs.jsonl'), jsonl([{ id: 1, vector: [1, 2], attributes: { color: 'red' } }, { id: 2, vector: [2, 1], attributes: { color: 3 } }]));
    fs.writeFileSync(path.join(dir, 'f64.npy'), npy(vectors.slice(0, 2)).toString('latin1').replace("'<f4'", "'<f8'"), 'latin1');
    fs.writeFileSync(path.join(dir, 'junk.arroy'), 'not an index at all'.repeat(500));
    const cases: [string[], RegExp][] = [
      [['build', path.join(dir, 'a.arroy'), cut, '--distance', 'cosine'], /^error ERR_ARROY_INVALID_ARGUMENT: .*cut short/],
      [['build', path.join(dir, 'b.arroy'), path.join(dir, 'attrs.jsonl'), '--distance', 'cosine'], /^error ERR_ARROY_INVALID_ARGUMENT: .*attrs.jsonl: record 1: attribute 'color' holds string values, not number/],
      [['build', path.join(dir, 'c.arroy'), path.join(dir, 'f64.npy'), '--distance', 'cosine'], /^error ERR_ARROY_INVALID_ARGUMENT: .*'<f8' is not supported/],
      [['build', path.join(dir, 'd.arroy'), path.join(dir, 'nope.fvecs'), '--distance', 'cosine'], /^error ERR_ARROY_STORAGE: ENOENT/],
      [['stats', path.join(dir, 'junk.arroy')], /^error ERR_ARROY_/],
      [['add', path.join(dir, 'missing.arroy'), cut], /^error ERR_ARROY_NOT_AN_INDEX: /],
    ];
    for (const [args, message] of cases) {
      const run = cli(...args);
      expect(run.status, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('GloVe round trip', () => {
  it('builds 20,000 GloVe words by key from JSON lines and answers --key king like the library', async () => {
    const ROWS = 20_000;
    const DIM = 100;
    const dir = tempDir('cli-glove');
    const base = fs.openSync(path.join(DATASETS_DIR, 'glove-100-angular', 'base.fvecs'), 'r');
    const prefix = Buffer.alloc(ROWS * 4 * (DIM + 1));
    fs.readSync(base, prefix, 0, prefix.length, 0);
    fs.closeSync(base);
    const prefixFile = path.join(dir, 'prefix.fvecs');
    fs.writeFileSync(prefixFile, prefix);

    // The prefix as .fvecs (row numbers for ids), and as JSON lines keyed by word.
    const numeric = path.join(dir, 'ids.arroy');
    expect(JSON.parse(ok('build', numeric, prefixFile, '--distance', 'cosine', '--json')).items).toBe(ROWS);
    const words = readWords().slice(0, ROWS);
    const byWord = new Map<string, Float32Array>();
    const rows: object[] = [];
    for (let r = 0; r < ROWS; r++) {
      const vector = new Float32Array(DIM);
      new Uint8Array(vector.buffer).set(prefix.subarray(r * 4 * (DIM + 1) + 4, (r + 1) * 4 * (DIM + 1)));
      byWord.set(words[r], vector);
      rows.push({ key: words[r], vector: Array.from(vector) });
    }
    fs.writeFileSync(path.join(dir, 'words.jsonl'), jsonl(rows));
    const keyed = path.join(dir, 'words.arroy');
    const built = cli('build', keyed, path.join(dir, 'words.jsonl'), '--distance', 'cosine', '--json');
    expect(built.status).toBe(0);
    expect(JSON.parse(built.stdout).items).toBe(byWord.size);
    expect(built.stderr).toMatch(/^graph: /m); // plain progress lines, stderr not being a terminal

    const answer = JSON.parse(ok('search', keyed, '--key', 'king', '--k', '5', '--json'));
    const index = Index.open(keyed, { readOnly: true });
    try {
      expect(answer).toEqual(index.searchById('king', { k: 5 }));
      expect(answer[0].key).toBe('king');
      // Recall as the library's: both against the exact answer over the same words.
      const keys = [...byWord.keys()];
      const exact = bruteForce('cosine', keys.map((w, i) => [i, byWord.get(w) as Float32Array] as [number, Float32Array]), byWord.get('king') as Float32Array, 10).map((n) => keys[n.id]);
      const cliTen = JSON.parse(ok('search', keyed, '--key', 'king', '--json')).map((n: { key: string }) => n.key);
      const libraryTen = (index.searchById('king') ?? []).map((n) => n.key);
      expect(cliTen).toEqual(libraryTen);
      const recall = cliTen.filter((w: string) => exact.includes(w)).length / 10;
      expect(recall).toBeGreaterThanOrEqual(0.8);
      const exactCli = JSON.parse(ok('search', keyed, '--key', 'king', '--recall', '1', '--json')).map((n: { key: string }) => n.key);
      expect(exactCli.filter((w: string) => exact.includes(w)).length).toBeGreaterThanOrEqual(9);
    } finally {
      index.close();
    }
    // Ctrl-C during the build: cancelled, exit 130, nothing committed.
    const cancelled = path.join(dir, 'cancelled.arroy');
    const child = spawn(process.execPath, [CLI, 'build', cancelled, prefixFile, '--distance', 'cosine'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const first = stderr === '';
      stderr += chunk.toString();
      if (first) child.kill('SIGINT'); // the first progress line: the build is running
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toMatch(/^error ERR_ARROY_ABORTED: /m);
    expect(status).toBe(130);
    const after = cli('stats', cancelled, '--json');
    expect(after.status === 1 || JSON.parse(after.stdout).items === 0).toBe(true);

    // The numeric index of the same rows finds the same neighbours for king's row.
    const kingRow = words.indexOf('king');
    const numericAnswer = JSON.parse(ok('search', numeric, '--id', String(kingRow), '--k', '5', '--recall', '1', '--json'));
    expect(numericAnswer[0].id).toBe(kingRow);
  });
});
