// examples/lambda: the handler run the way the Lambda runtime runs it (a
// fresh process imports the module and calls `handler` with API Gateway v2
// events), answering from a snapshot of 20,000 GloVe words, shipped or
// downloaded once; and its cold start (import, open and first query), with
// the page cache warm and with the snapshot dropped from it. Timings are
// printed, not asserted (bench/RESULTS.md records them).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM example code
import { buildWordSnapshot } from '../examples/lambda/build-snapshot.mjs';
// @ts-expect-error plain ESM example code
import { createHandler, openSnapshot } from '../examples/lambda/handler.mjs';
import { tempDir } from './helpers/tmp';

const HANDLER = path.join(__dirname, '..', 'examples', 'lambda', 'handler.mjs');
const INVOKE = path.join(__dirname, 'fixtures', 'lambda-invoke.mjs');
const WORDS = 20_000;

interface Response {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
interface Hit {
  key?: string;
  distance: number;
}
interface WordIndex {
  searchById(key: string, options: { k: number }): Hit[] | undefined;
  search(vector: number[], options: { k: number }): Hit[];
  close(): void;
}

function event(method: string, rawPath: string, options: { query?: Record<string, string>; body?: string; base64?: boolean } = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    ...(options.query ? { queryStringParameters: options.query } : {}),
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' }, stage: '$default' },
    ...(options.body !== undefined ? { body: options.base64 ? Buffer.from(options.body).toString('base64') : options.body } : {}),
    isBase64Encoded: options.base64 ?? false,
  };
}

let built: { index: WordIndex; snapshot: { path: string; bytes: number }; words: string[]; vectors: (i: number) => Float32Array };
let layer: string;

beforeAll(async () => {
  layer = tempDir('lambda-opt');
  built = await buildWordSnapshot({ destination: path.join(layer, 'words.arroy'), count: WORDS, live: path.join(tempDir('lambda-live'), 'live.arroy') });
  // The snapshot as it sits in a layer: nothing there can be written.
  fs.chmodSync(built.snapshot.path, 0o444);
  fs.chmodSync(layer, 0o555);
}, 120_000);

afterAll(() => built?.index.close());

function invoke(events: object[], env: Record<string, string>) {
  const eventsFile = path.join(tempDir('lambda-events'), 'events.json');
  fs.writeFileSync(eventsFile, JSON.stringify(events));
  const started = performance.now();
  const run = spawnSync(process.execPath, [INVOKE, HANDLER, eventsFile], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, ...env },
  });
  const wallMs = performance.now() - started;
  expect(run.status, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout) as { importMs: number; sinceProcessStartMs: number; calls: { ms: number; response: Response }[] };
  return { ...out, wallMs, responses: out.calls.map((c) => ({ ...c.response, json: JSON.parse(c.response.body) })) };
}

const expectedNeighbours = (word: string, k: number) =>
  built.index
    .searchById(word, { k: k + 1 })!
    .filter((hit) => hit.key !== word)
    .slice(0, k)
    .map((hit) => hit.key);

describe('the Lambda example', () => {
  it('answers GET and POST from a shipped snapshot like the index, and the errors a client expects', () => {
    const paris = Array.from(built.vectors(built.words.indexOf('paris')));
    const events = [
      event('GET', '/search', { query: { q: 'king', k: '5' } }),
      event('GET', '/indexes/default/search', { query: { q: 'france' } }),
      event('POST', '/search', { body: JSON.stringify({ vector: paris, k: 3 }) }),
      event('POST', '/search', { body: JSON.stringify({ vector: paris }), base64: true }),
      event('GET', '/search'), // no q
      event('GET', '/search', { query: { q: 'king', k: '0' } }),
      event('GET', '/search', { query: { q: 'king', k: 'ten' } }),
      event('GET', '/search', { query: { q: 'king', k: '101' } }),
      event('POST', '/search', { body: '{"vector": [1, 2' }),
      event('POST', '/search', { body: JSON.stringify({ vector: [1, 2, 3] }) }),
      event('POST', '/search', { body: JSON.stringify({ vector: paris.map(String) }) }),
      event('POST', '/search', { body: JSON.stringify([paris]) }),
      event('POST', '/search'),
      event('GET', '/search', { query: { q: 'notawordinglove' } }),
      event('GET', '/indexes/products/search', { query: { q: 'king' } }),
      event('GET', '/health'),
      event('DELETE', '/search'),
    ];
    const { responses } = invoke(events, { ARROY_SNAPSHOT_PATH: built.snapshot.path });
    const [king, france, post, base64, ...errors] = responses;
    expect(king.statusCode).toBe(200);
    expect(king.headers['content-type']).toBe('application/json');
    expect(king.json.neighbors.map((n: { word: string }) => n.word)).toEqual(expectedNeighbours('king', 5));
    expect(king.json.neighbors.map((n: { word: string }) => n.word)).toContain('queen');
    expect(france.json.neighbors.map((n: { word: string }) => n.word)).toEqual(expectedNeighbours('france', 10));
    const searched = built.index.search(paris, { k: 3 });
    expect(post.json.neighbors.map((n: { word: string }) => n.word)).toEqual(searched.map((hit) => hit.key));
    expect(post.json.neighbors[0]).toMatchObject({ word: 'paris' });
    expect(post.json.neighbors[0].distance).toBeLessThan(1e-5);
    expect(base64.statusCode).toBe(200);
    expect(base64.json.neighbors).toHaveLength(10);
    expect(errors.map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 400, 404, 404, 404, 405]);
    for (const r of errors) expect(typeof r.json.error).toBe('string');
    expect(errors[errors.length - 1].headers.allow).toBe('GET, POST');
  });

  it('downloads the snapshot to /tmp once when none is shipped', () => {
    const tmp = tempDir('lambda-tmp');
    const events = [event('GET', '/search', { query: { q: 'queen', k: '3' } }), event('GET', '/search', { query: { q: 'prince', k: '3' } })];
    const env = { ARROY_SNAPSHOT_URL: pathToFileURL(built.snapshot.path).href, ARROY_TMP_DIR: tmp };
    const first = invoke(events, env);
    expect(first.responses.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(first.responses[0].json.neighbors.map((n: { word: string }) => n.word)).toEqual(expectedNeighbours('queen', 3));
    const downloaded = path.join(tmp, 'arroy-snapshot.arroy');
    expect(fs.readFileSync(downloaded).equals(fs.readFileSync(built.snapshot.path))).toBe(true);
    // Nothing half-written is left beside it.
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.part-'))).toEqual([]);
  });

  it('shares one download between concurrent first requests and fetches again after a damaged one', async () => {
    const tmp = tempDir('lambda-fake');
    let fetches = 0;
    let damage = true;
    const source = {
      describe: () => 'fake',
      async fetchTo(destination: string) {
        fetches++;
        const bytes = fs.readFileSync(built.snapshot.path);
        if (damage) bytes[Math.floor(bytes.length / 2)] ^= 0xff;
        fs.writeFileSync(destination, bytes);
      },
    };
    const logged: unknown[] = [];
    const handler = createHandler({ database: openSnapshot({ source, tmpDir: tmp }), log: (error: unknown) => logged.push(error) });
    const get = event('GET', '/search', { query: { q: 'rome', k: '4' } });
    const damaged = (await Promise.all([handler(get), handler(get)])) as Response[];
    expect(fetches).toBe(1);
    expect(damaged.map((r) => r.statusCode)).toEqual([503, 503]);
    expect(JSON.parse(damaged[0].body).code).toBe('ERR_ARROY_CORRUPT');
    expect(logged).toHaveLength(2);
    damage = false;
    const answers = (await Promise.all([handler(get), handler(get), handler(get)])) as Response[];
    expect(fetches).toBe(2);
    for (const r of answers) expect(JSON.parse(r.body).neighbors.map((n: { word: string }) => n.word)).toEqual(expectedNeighbours('rome', 4));
  });

  it('cold start: import + open + first query, page cache warm and dropped', () => {
    const events = [event('GET', '/search', { query: { q: 'king', k: '10' } }), event('GET', '/search', { query: { q: 'woman', k: '10' } })];
    const file = built.snapshot.path;
    const dropped = () => spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']).status === 0;
    const resident = () => {
      const run = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file], { encoding: 'utf8' });
      return run.status === 0 ? Number(run.stdout.trim()) : undefined;
    };
    const rows: string[] = [];
    for (const [label, verify] of [
      ['verify: true', '1'],
      ['verify: false', '0'],
    ]) {
      for (const cache of ['warm', 'dropped']) {
        const runs = [];
        for (let i = 0; i < 3; i++) {
          if (cache === 'warm') fs.readFileSync(file);
          else dropped();
          const before = resident();
          const run = invoke(events, { ARROY_SNAPSHOT_PATH: file, ARROY_VERIFY: verify });
          expect(run.responses.map((r) => r.statusCode)).toEqual([200, 200]);
          runs.push({ ...run, before });
        }
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
        const imp = median(runs.map((r) => r.importMs));
        const first = median(runs.map((r) => r.calls[0].ms));
        const second = median(runs.map((r) => r.calls[1].ms));
        const process = median(runs.map((r) => r.wallMs));
        rows.push(
          `| ${label} | ${cache} (${runs[0].before ?? '?'} bytes cached) | ${imp.toFixed(1)} | ${first.toFixed(1)} | ${(imp + first).toFixed(1)} | ${second.toFixed(2)} | ${process.toFixed(0)} |`,
        );
      }
    }
    console.log(
      [
        `Lambda cold start, ${WORDS.toLocaleString('en-US')} GloVe words, snapshot ${(built.snapshot.bytes / 1e6).toFixed(1)} MB; median of 3 fresh processes; cache dropped with dd iflag=nocache (posix_fadvise DONTNEED)`,
        '| open | page cache | import ms | first request ms (open + query) | import + first ms | second request ms | process wall ms |',
        '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
        ...rows,
      ].join('\n'),
    );
  }, 120_000);
});
