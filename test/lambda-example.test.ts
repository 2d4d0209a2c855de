// examples/lambda: the handler run the way the Lambda runtime runs it (a
// fresh process imports the module and calls `handler` with API Gateway v2
// events), answering from a snapshot of 20,000 GloVe words, shipped or
// downloaded once; and its cold start (import, open and first query), with
// the page cache warm and with the snapshot dropped from it. Timings are
// printed, not asserted (bench/RESULTS.md records them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM example code
import { buildWordSnapshot } from '../examples/lambda/build-snapshot.mjs';
// @ts-expect-error plain ESM example code
import { apiEvent as event, coldStartRows, invokeFresh } from '../examples/lambda/cold-start.mjs';
// @ts-expect-error plain ESM example code
import { createHandler, openSnapshot } from '../examples/lambda/handler.mjs';
import { tempDir } from './helpers/tmp';

const WORDS = 20_000;

interface Response {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json: { error?: string; code?: string; neighbors: { word: string; distance: number }[] };
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

const invoke = (events: object[], env: Record<string, string>) => invokeFresh(events, env) as { responses: Response[] };

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
    expect(king.json.neighbors.map((n) => n.word)).toEqual(expectedNeighbours('king', 5));
    expect(king.json.neighbors.map((n) => n.word)).toContain('queen');
    expect(france.json.neighbors.map((n) => n.word)).toEqual(expectedNeighbours('france', 10));
    const searched = built.index.search(paris, { k: 3 });
    expect(post.json.neighbors.map((n) => n.word)).toEqual(searched.map((hit) => hit.key));
    expect(post.json.neighbors[0]).toMatchObject({ word: 'paris' });
    expect(post.json.neighbors[0].distance).toBeLessThan(1e-5);
    expect(base64.statusCode).toBe(200);
    expect(base64.json.neighbors).toHaveLength(10);
    expect(errors.map((r: Response) => r.statusCode)).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 400, 404, 404, 404, 405]);
    for (const r of errors) expect(typeof r.json.error).toBe('string');
    expect(errors[errors.length - 1].headers.allow).toBe('GET, POST');
  });

  it('downloads the snapshot to /tmp once when none is shipped', () => {
    const tmp = tempDir('lambda-tmp');
    const events = [event('GET', '/search', { query: { q: 'queen', k: '3' } }), event('GET', '/search', { query: { q: 'prince', k: '3' } })];
    const env = { ARROY_SNAPSHOT_URL: pathToFileURL(built.snapshot.path).href, ARROY_TMP_DIR: tmp };
    const first = invoke(events, env);
    expect(first.responses.map((r: Response) => r.statusCode)).toEqual([200, 200]);
    expect(first.responses[0].json.neighbors.map((n) => n.word)).toEqual(expectedNeighbours('queen', 3));
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
    expect(damaged.map((r: Response) => r.statusCode)).toEqual([503, 503]);
    expect(JSON.parse(damaged[0].body).code).toBe('ERR_ARROY_CORRUPT');
    expect(logged).toHaveLength(2);
    damage = false;
    const answers = (await Promise.all([handler(get), handler(get), handler(get)])) as Response[];
    expect(fetches).toBe(2);
    for (const r of answers) expect(JSON.parse(r.body).neighbors.map((n) => n.word)).toEqual(expectedNeighbours('rome', 4));
  });

  it('cold start: import + open + first query, page cache warm and dropped', () => {
    const events = [event('GET', '/search', { query: { q: 'king', k: '10' } }), event('GET', '/search', { query: { q: 'woman', k: '10' } })];
    const rows = coldStartRows(built.snapshot.path, events, {
      check: (responses: Response[]) => {
        expect(responses.map((r: Response) => r.statusCode)).toEqual([200, 200]);
        expect(responses[0].json.neighbors.map((n) => n.word)).toEqual(expectedNeighbours('king', 10));
      },
    });
    console.log(
      [`Lambda cold start, ${WORDS.toLocaleString('en-US')} GloVe words, snapshot ${(built.snapshot.bytes / 1e6).toFixed(1)} MB, medians of 3 fresh processes:`, ...rows].join('\n'),
    );
  }, 120_000);
});
