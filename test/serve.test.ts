/**
 * `arroy-ts serve` over loopback: real HTTP requests (fetch) against a server
 * on port 0. Every resource, every error status, keys hashed at rest,
 * batched builds, recall against brute force on a GloVe subset, a short load
 * run, and the CLI starting and stopping the service as a real process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Service } from '../src/serve/app';
import { bruteForce } from './helpers/brute';
import { loadDataset, recallAgainst, type Dataset } from './helpers/datasets.mjs';
import { tempDir } from './helpers/tmp';
// @ts-expect-error: plain ESM shared with bench/serve.mjs, without declarations
import { runLoad } from '../bench/lib/serve-load.mjs';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const BODY_LIMIT = 1024 * 1024;

let service: Service & { url: string };
let dir: string;
let admin: string;
let glove: Dataset;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(method: string, url: string, options: { key?: string; body?: unknown; raw?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.key !== undefined) headers['x-api-key'] = options.key;
  let body: string | undefined;
  if (options.body !== undefined || options.raw !== undefined) {
    headers['content-type'] = 'application/json';
    body = options.raw ?? JSON.stringify(options.body);
  }
  const response = await fetch(`${service.url}${url}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

function expectError(answer: Answer, status: number, message?: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.error.status).toBe(status);
  if (message) expect(answer.body.error.message).toMatch(message);
}

const row = (matrix: Float32Array, dim: number, i: number) => Array.from(matrix.subarray(i * dim, (i + 1) * dim));

beforeAll(async () => {
  dir = tempDir('serve');
  service = await startServer({ indexPath: path.join(dir, 'service.arroy'), port: 0, host: '127.0.0.1', bodyLimit: BODY_LIMIT, batch: { delayMs: 20 } });
  admin = service.keys.createKey(null).key;
  glove = loadDataset('glove-100-angular');
});

afterAll(async () => {
  await service?.close();
});

describe('auth', () => {
  it('keeps only hashes of the keys in the key file', async () => {
    expect((await call('POST', '/v1/projects', { key: admin, body: { name: 'hashed' } })).status).toBe(201);
    const made = await call('POST', '/v1/projects/hashed/keys', { key: admin });
    expect(made.status).toBe(201);
    const text = fs.readFileSync(service.keys.path, 'utf8');
    for (const key of [admin, made.body.key]) {
      const secret = key.split('_').slice(2).join('_');
      expect(text).not.toContain(secret);
      expect(text).toContain(createHash('sha256').update(key).digest('hex'));
    }
    expect(fs.statSync(service.keys.path).mode & 0o077).toBe(0);
  });

  it('answers 401 to no key, a malformed key and a wrong secret; 403 to a key of another project', async () => {
    expectError(await call('GET', '/v1/projects'), 401, /missing x-api-key/);
    expectError(await call('GET', '/v1/projects', { key: 'nonsense' }), 401, /invalid API key/);
    const wrong = `${admin.slice(0, -4)}${admin.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expectError(await call('GET', '/v1/projects', { key: wrong }), 401);
    await call('POST', '/v1/projects', { key: admin, body: { name: 'alpha' } });
    await call('POST', '/v1/projects', { key: admin, body: { name: 'beta' } });
    const alpha = (await call('POST', '/v1/projects/alpha/keys', { key: admin })).body.key;
    expect((await call('GET', '/v1/projects/alpha/collections', { key: alpha })).status).toBe(200);
    expectError(await call('GET', '/v1/projects/beta/collections', { key: alpha }), 403, /belongs to project 'alpha'/);
    expectError(await call('POST', '/v1/projects', { key: alpha, body: { name: 'gamma' } }), 403, /admin key/);
    expectError(await call('POST', '/v1/projects/alpha/keys', { key: alpha }), 403);
    // Unauthenticated requests are refused before their body is read or checked.
    expectError(await call('POST', '/v1/projects/alpha/collections', { body: { bad: true } }), 401);
  });

  it('revokes keys, and a deleted project takes its keys with it', async () => {
    await call('POST', '/v1/projects', { key: admin, body: { name: 'brief' } });
    const made = (await call('POST', '/v1/projects/brief/keys', { key: admin })).body;
    const listed = await call('GET', '/v1/projects/brief/keys', { key: admin });
    expect(listed.body.keys.map((k: { id: string }) => k.id)).toEqual([made.id]);
    expect(JSON.stringify(listed.body)).not.toContain(made.key);
    expect((await call('DELETE', `/v1/keys/${made.id}`, { key: admin })).status).toBe(204);
    expectError(await call('GET', '/v1/projects/brief', { key: made.key }), 401);
    expectError(await call('DELETE', `/v1/keys/${made.id}`, { key: admin }), 404);
    const again = (await call('POST', '/v1/projects/brief/keys', { key: admin })).body.key;
    expect((await call('DELETE', '/v1/projects/brief', { key: admin })).status).toBe(204);
    expectError(await call('GET', '/v1/projects/brief', { key: again }), 401);
    expectError(await call('GET', '/v1/projects/brief', { key: admin }), 404);
  });
});

describe('projects and collections', () => {
  it('creates, lists, reads and deletes them', async () => {
    expect((await call('GET', '/v1/health')).body.ok).toBe(true);
    const created = await call('POST', '/v1/projects', { key: admin, body: { name: 'shop' } });
    expect(created.status).toBe(201);
    expectError(await call('POST', '/v1/projects', { key: admin, body: { name: 'shop' } }), 409);
    const key = (await call('POST', '/v1/projects/shop/keys', { key: admin })).body.key;
    const collection = await call('POST', '/v1/projects/shop/collections', { key, body: { name: 'books', dimensions: 4, distance: 'euclidean' } });
    expect(collection.status).toBe(201);
    expect(collection.body).toEqual({ name: 'books', dimensions: 4, distance: 'euclidean', items: 0, pending: 0 });
    expectError(await call('POST', '/v1/projects/shop/collections', { key, body: { name: 'books', dimensions: 4, distance: 'euclidean' } }), 409);
    await call('POST', '/v1/projects/shop/collections', { key, body: { name: 'films', dimensions: 2, distance: 'dot' } });
    const list = await call('GET', '/v1/projects/shop/collections', { key });
    expect(list.body.collections.map((c: { name: string }) => c.name).sort()).toEqual(['books', 'films']);
    expect((await call('GET', '/v1/projects/shop', { key })).body.collections.sort()).toEqual(['books', 'films']);
    expect((await call('GET', '/v1/projects', { key: admin })).body.projects.map((p: { name: string }) => p.name)).toContain('shop');
    expect((await call('DELETE', '/v1/projects/shop/collections/films', { key })).status).toBe(204);
    expectError(await call('GET', '/v1/projects/shop/collections/films', { key }), 404, /no collection 'films'/);
    expectError(await call('DELETE', '/v1/projects/shop/collections/films', { key }), 404);
    expectError(await call('GET', '/v1/projects/nowhere/collections', { key: admin }), 404, /no project 'nowhere'/);
  });
});

describe('items', () => {
  let key: string;
  const base = '/v1/projects/items/collections/vectors';
  beforeAll(async () => {
    await call('POST', '/v1/projects', { key: admin, body: { name: 'items' } });
    key = (await call('POST', '/v1/projects/items/keys', { key: admin })).body.key;
    await call('POST', '/v1/projects/items/collections', { key, body: { name: 'vectors', dimensions: 3, distance: 'cosine' } });
  });

  it('inserts one item, waits for its build and reads it back', async () => {
    const inserted = await call('POST', `${base}/items`, { key, body: { id: 'a', vector: [0.1, 0.2, 0.3] } });
    expect(inserted.status).toBe(201);
    expect(inserted.body.state).toBe('committed');
    expect(service.batcher.status(inserted.body.build)?.state).toBe('committed');
    const got = await call('GET', `${base}/items/a`, { key });
    expect(got.body).toEqual({ id: 'a', vector: Array.from(Float32Array.from([0.1, 0.2, 0.3])), attributes: {} });
    const found = await call('POST', `${base}/search`, { key, body: { vector: [0.1, 0.2, 0.3], k: 1 } });
    expect(found.body.neighbors[0].id).toBe('a');
    expect(found.body.neighbors[0].distance).toBeCloseTo(0, 5);
  });

  it('inserts batches whole or not at all, deletes items one at a time and in batches', async () => {
    const batch = await call('POST', `${base}/batch`, {
      key,
      body: { items: [{ id: 'b', vector: [1, 0, 0] }, { id: 'c', vector: [0, 1, 0] }, { id: 'd', vector: [0, 0, 1] }] },
    });
    expect(batch.status).toBe(201);
    expect(batch.body.count).toBe(3);
    const bad = await call('POST', `${base}/batch`, { key, body: { items: [{ id: 'e', vector: [1, 1, 1] }, { id: 'f', vector: [0, 0, 0] }] } });
    expectError(bad, 400, /body\/items\/1\/vector is the zero vector/);
    expect((await call('GET', base, { key })).body).toMatchObject({ items: 4, pending: 0 });
    expectError(await call('GET', `${base}/items/e`, { key }), 404);
    expect((await call('DELETE', `${base}/items/b`, { key })).status).toBe(200);
    expectError(await call('GET', `${base}/items/b`, { key }), 404);
    expectError(await call('DELETE', `${base}/items/b`, { key }), 404);
    const removed = await call('POST', `${base}/batch/delete`, { key, body: { ids: ['c', 'd', 'never-stored'] } });
    expect(removed.status).toBe(200);
    expect((await call('GET', base, { key })).body.items).toBe(1);
  });

  it('answers 202 with a build id when asked not to wait; the build id says when the item is searchable', async () => {
    const queued = await call('POST', `${base}/items?wait=false`, { key, body: { id: 'later', vector: [0.5, -0.5, 0.25] } });
    expect(queued.status).toBe(202);
    expect(['queued', 'building']).toContain(queued.body.state);
    expect(queued.body.status).toBe(`/v1/builds/${queued.body.build}`);
    const settled = await call('GET', `${queued.body.status}?wait=true`, { key });
    expect(settled.body).toMatchObject({ id: queued.body.build, state: 'committed', changes: 1 });
    const found = await call('POST', `${base}/search`, { key, body: { vector: [0.5, -0.5, 0.25], k: 1 } });
    expect(found.body.neighbors[0].id).toBe('later');
    expect(found.body.build).toBeGreaterThanOrEqual(queued.body.build);
    expectError(await call('GET', '/v1/builds/999999', { key }), 404);
  });

  it('stores attributes with items and filters searches by where', async () => {
    const albums = [
      { id: 'al1', vector: [1, 0.1, 0], attributes: { genre: 'rock', year: 1985 } },
      { id: 'al2', vector: [1, 0.2, 0], attributes: { genre: 'jazz', year: 1995 } },
      { id: 'al3', vector: [1, 0.3, 0], attributes: { genre: 'rock', year: 2001 } },
      { id: 'al4', vector: [1, 0.4, 0], attributes: { genre: 'pop', year: 2010, tags: ['live', 'remaster'] } },
    ];
    expect((await call('POST', `${base}/batch`, { key, body: { items: albums } })).status).toBe(201);
    expect((await call('GET', `${base}/items/al4`, { key })).body.attributes).toEqual(albums[3].attributes);
    const ids = async (body: object) => {
      const answer = await call('POST', `${base}/search`, { key, body: { vector: [1, 0, 0], k: 10, ...body } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.neighbors.map((n: { id: string }) => n.id);
    };
    expect(await ids({ where: { genre: 'rock' } })).toEqual(['al1', 'al3']);
    expect(await ids({ where: { year: { $gte: 1990 } } })).toEqual(['al2', 'al3', 'al4']);
    expect(await ids({ where: { genre: { $in: ['jazz', 'pop'] } } })).toEqual(['al2', 'al4']);
    expect(await ids({ where: { $or: [{ genre: 'jazz' }, { year: { $lt: 1990 } }] } })).toEqual(['al1', 'al2']);
    expect(await ids({ where: { $and: [{ genre: 'rock' }, { $not: { year: 1985 } }] } })).toEqual(['al3']);
    expect(await ids({ where: { genre: 'metal' } })).toEqual([]);
    const withAttributes = await call('POST', `${base}/search`, { key, body: { vector: [1, 0, 0], k: 1, where: { genre: 'pop' }, attributes: true } });
    expect(withAttributes.body.neighbors).toEqual([{ id: 'al4', distance: expect.any(Number), attributes: albums[3].attributes }]);
    expectError(await call('POST', `${base}/search`, { key, body: { vector: [1, 0, 0], where: { colour: 'red' } } }), 400, /body\/where: .*colour/);
    expectError(await call('POST', `${base}/search`, { key, body: { vector: [1, 0, 0], where: { year: 'old' } } }), 400, /body\/where/);
    expectError(await call('POST', `${base}/search`, { key, body: { vector: [1, 0, 0], where: { year: { $gte: 'x' } } } }), 400, /body\/where/);
    const bad = await call('POST', `${base}/batch`, { key, body: { items: [{ id: 'al5', vector: [1, 1, 0] }, { id: 'al6', vector: [1, 1, 1], attributes: { nested: { no: 1 } } }] } });
    expectError(bad, 400, /body\/items\/1\/attributes: /);
    expectError(await call('GET', `${base}/items/al5`, { key }), 404);
  });
});

describe('errors', () => {
  let key: string;
  const base = '/v1/projects/errs/collections/c';
  beforeAll(async () => {
    await call('POST', '/v1/projects', { key: admin, body: { name: 'errs' } });
    key = (await call('POST', '/v1/projects/errs/keys', { key: admin })).body.key;
    await call('POST', '/v1/projects/errs/collections', { key, body: { name: 'c', dimensions: 2, distance: 'euclidean' } });
  });

  it('answers 400 naming the field', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/v1/projects/errs/collections', { name: 'd', dimensions: 2 }, /body\/distance is required/],
      ['POST', '/v1/projects/errs/collections', { name: 'd', dimensions: 2, distance: 'angular' }, /body\/distance must be equal to one of/],
      ['POST', '/v1/projects/errs/collections', { name: 'd', dimensions: 0, distance: 'dot' }, /body\/dimensions must be >= 1/],
      ['POST', '/v1/projects/errs/collections', { name: 'a/b', dimensions: 2, distance: 'dot' }, /body\/name must match pattern/],
      ['POST', `${base}/items`, { id: 'x', vector: [1, 2], color: 'red' }, /body\/color is not a known field/],
      ['POST', `${base}/items`, { id: 'x', vector: [1, 'two'] }, /body\/vector\/1 must be number/],
      ['POST', `${base}/items`, { id: 'x', vector: [1, 2, 3] }, /body\/vector has 3 numbers; the collection has 2 dimensions/],
      ['POST', `${base}/items`, { id: 'x', vector: [1, 1e39] }, /body\/vector\/1 is out of float32 range/],
      ['POST', `${base}/items`, { id: '', vector: [1, 2] }, /body\/id must NOT have fewer than 1 characters/],
      ['POST', `${base}/batch`, { items: [] }, /body\/items must NOT have fewer than 1 items/],
      ['POST', `${base}/search`, { vector: [1, 2], k: '5' }, /body\/k must be integer/],
      ['POST', `${base}/search`, { vector: [1, 2], k: 0 }, /body\/k must be >= 1/],
      ['POST', `${base}/search`, { vector: [1, 2], recall: 1.5 }, /body\/recall must be <= 1/],
      ['POST', `${base}/search`, { vector: [1, 2], serchK: 5 }, /body\/serchK is not a known field/],
      ['POST', `${base}/search`, { k: 5 }, /body\/vector is required/],
    ];
    for (const [method, url, body, message] of cases) expectError(await call(method, url, { key, body }), 400, message);
    expectError(await call('POST', `${base}/search`, { key, raw: '{"vector": [1, 2' }), 400, /not valid JSON/);
    const text = await fetch(`${service.url}${base}/search`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'text/plain' }, body: '[1, 2]' });
    expect(text.status).toBe(415);
    expectError(await call('DELETE', `${base}/items/x?wait=maybe`, { key }), 400, /querystring\/wait must be equal to one of/);
  });

  it('answers 413 to a body over the limit, 404 to unknown routes and resources, 405 to a wrong method', async () => {
    const huge = { id: 'big', vector: Array.from({ length: BODY_LIMIT / 4 }, () => 0.123456) };
    expectError(await call('POST', `${base}/items`, { key, body: huge }), 413);
    expectError(await call('GET', '/v1/nothing', { key }), 404, /no route GET \/v1\/nothing/);
    expectError(await call('GET', '/', {}), 404);
    expectError(await call('GET', '/v1/projects/errs/collections/none/items/x', { key }), 404, /no collection 'none'/);
    const wrong = await call('PUT', `${base}/items/x`, { key });
    expectError(wrong, 405, /PUT is not allowed/);
    expect(wrong.headers.get('allow')).toBe('GET, DELETE, HEAD');
    expectError(await call('GET', `${base}/search`, { key }), 405);
    expect((await call('GET', `${base}/search`, { key })).headers.get('allow')).toBe('POST');
    expectError(await call('DELETE', '/v1/health'), 405);
  });
});

describe('batched builds', () => {
  it('commits many concurrent inserts in fewer builds, each searchable once its insert is answered', async () => {
    await call('POST', '/v1/projects', { key: admin, body: { name: 'batching' } });
    const key = (await call('POST', '/v1/projects/batching/keys', { key: admin })).body.key;
    const base = '/v1/projects/batching/collections/glove';
    await call('POST', '/v1/projects/batching/collections', { key, body: { name: 'glove', dimensions: glove.dim, distance: 'cosine' } });
    const count = 60;
    const buildsBefore = service.batcher.builds;
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) => call('POST', `${base}/items`, { key, body: { id: `w${i}`, vector: row(glove.base, glove.dim, i) } })),
    );
    for (const answer of answers) expect(answer.status).toBe(201);
    const builds = new Set(answers.map((a) => a.body.build));
    expect(builds.size).toBeLessThan(count / 4);
    expect(service.batcher.builds - buildsBefore).toBe(builds.size);
    for (let i = 0; i < count; i++) {
      const found = await call('POST', `${base}/search`, { key, body: { vector: row(glove.base, glove.dim, i), k: 1, recall: 1 } });
      expect(found.body.neighbors[0].id).toBe(`w${i}`);
    }
  });
});

describe('search on GloVe', () => {
  const count = 3000;
  const queries = 100;
  let key: string;
  const base = '/v1/projects/glove/collections/words';
  beforeAll(async () => {
    await call('POST', '/v1/projects', { key: admin, body: { name: 'glove' } });
    key = (await call('POST', '/v1/projects/glove/keys', { key: admin })).body.key;
    await call('POST', '/v1/projects/glove/collections', { key, body: { name: 'words', dimensions: glove.dim, distance: 'cosine' } });
    const batches = [];
    for (let start = 0; start < count; start += 500) {
      const items = [];
      for (let i = start; i < start + 500; i++) items.push({ id: `${i}`, vector: row(glove.base, glove.dim, i), attributes: { band: i % 10 } });
      batches.push(call('POST', `${base}/batch`, { key, body: { items } }));
    }
    for (const answer of await Promise.all(batches)) expect(answer.status).toBe(201);
  });

  async function recallOf(recall: number, band?: number): Promise<number> {
    const all: Array<[number, Float32Array]> = Array.from({ length: count }, (_, i) => [i, glove.row('base', i)]);
    const items = band === undefined ? all : all.filter(([i]) => i % 10 === band);
    const results: number[][] = [];
    const truths: number[][] = [];
    for (let q = 0; q < queries; q++) {
      const vector = row(glove.queries, glove.dim, q);
      const where = band === undefined ? {} : { where: { band } };
      const answer = await call('POST', `${base}/search`, { key, body: { vector, k: 10, recall, ...where } });
      expect(answer.status).toBe(200);
      results.push(answer.body.neighbors.map((n: { id: string }) => Number(n.id)));
      truths.push(bruteForce('cosine', items, vector, 10).map((n) => n.id));
    }
    return recallAgainst(results, truths);
  }

  it('reaches the asked recall against brute force over the items inserted through HTTP', async () => {
    expect((await call('GET', base, { key })).body.items).toBe(count);
    expect(await recallOf(0.95)).toBeGreaterThanOrEqual(0.9);
    expect(await recallOf(1)).toBeGreaterThanOrEqual(0.999);
  });

  it('reaches it with a where filter too, against brute force over the matching items', async () => {
    expect(await recallOf(0.95, 3)).toBeGreaterThanOrEqual(0.95);
  });

  it('keeps answering searches with no errors while a client batch-inserts; every acknowledged insert is searchable', async () => {
    const extra = 600;
    const inserts = glove.base.subarray(count * glove.dim, (count + extra) * glove.dim);
    const result = await runLoad({
      url: `${service.url}${base}`,
      key,
      dim: glove.dim,
      queries: glove.queries.subarray(0, 200 * glove.dim),
      inserts,
      clients: 4,
      seconds: 3,
      batchSize: 50,
    });
    expect(result.errors).toEqual([]);
    expect(result.searches).toBeGreaterThan(50);
    expect(result.inserted).toBeGreaterThan(0);
    expect(result.missing).toEqual([]);
    expect(result.searchableExact).toBe(result.inserted);
  });
});

describe('the serve command', () => {
  it('makes keys with --create-key, serves until SIGTERM and exits 0; usage errors exit 2', async () => {
    const file = path.join(dir, 'cli.arroy');
    const made = spawnSync(process.execPath, [CLI, 'serve', file, '--create-key', '--project', 'cli'], { encoding: 'utf8' });
    expect(made.status).toBe(0);
    const key = made.stdout.trim();
    // The secret is base64url, so it may itself hold '_': take all of it.
    const secret = /^ak_[0-9a-f]{12}_([A-Za-z0-9_-]{43})$/.exec(key)?.[1];
    expect(secret).toBeDefined();
    expect(fs.readFileSync(`${file}.keys.json`, 'utf8')).not.toContain(secret);
    expect(spawnSync(process.execPath, [CLI, 'serve', file, '--port', 'x'], { encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(process.execPath, [CLI, 'serve'], { encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' }).stdout).toMatch(/--api-key-file/);

    const child = spawn(process.execPath, [CLI, 'serve', file, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (\S+)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const headers = { 'x-api-key': key, 'content-type': 'application/json' };
    const created = await fetch(`${url}/v1/projects/cli/collections`, { method: 'POST', headers, body: JSON.stringify({ name: 'c', dimensions: 2, distance: 'euclidean' }) });
    expect(created.status).toBe(201);
    const queued = await fetch(`${url}/v1/projects/cli/collections/c/items?wait=false`, { method: 'POST', headers, body: JSON.stringify({ id: 'p', vector: [1, 2] }) });
    expect(queued.status).toBe(202);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The queued write was committed before the process exited.
    const { Index } = await import('../src/index');
    const index = Index.open(file, { name: 'cli/c', readOnly: true });
    expect(Array.from(index.get('p') ?? [])).toEqual([1, 2]);
    index.close();
  });
});

describe('examples/http', () => {
  it('starts the service on GloVe, loads words over HTTP and finds their neighbours', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'examples', 'http', 'run.mjs'), '--items', '3000'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^3000 words in \d+ builds/m);
    const king = /^king: (.*)$/m.exec(run.stdout)?.[1] ?? '';
    expect(king).toMatch(/queen|prince/);
  });
});
