// An AWS Lambda handler answering nearest-neighbour queries over API Gateway
// (HTTP API, payload format 2.0) from an arroy-ts snapshot.
//
//   GET  /search?q=<word>&k=<1..100>      neighbours of a stored word (the index's string keys)
//   POST /search  {"vector": [...], "k": 10}
//   and the same under /indexes/<name>/search for the other indexes of the file
//
// Where the snapshot comes from (read once per execution environment, at the
// first request):
//   ARROY_SNAPSHOT_PATH  a file shipped with the function: in the zip
//                        (/var/task/...), a layer (/opt/...) or the image
//   ARROY_SNAPSHOT_URL   else, downloaded once into ARROY_TMP_DIR (default /tmp)
//   ARROY_INDEX          the index /search answers from (default 'default')
//   ARROY_VERIFY         '0' skips the checksum pass of a shipped file
//                        (a downloaded one is always verified)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArroyError, Database } from 'arroy-ts';
import { urlSnapshotSource } from './snapshot-source.mjs';

export const MAX_K = 100;

const json = (statusCode, body, headers = {}) => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const problem = (statusCode, message, extra = {}) => json(statusCode, { error: message, ...extra });

class HttpError extends Error {
  constructor(statusCode, message) {
    super(message);
    this.statusCode = statusCode;
  }
}

function parseK(raw) {
  if (raw === undefined) return 10;
  const k = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new HttpError(400, `k must be an integer from 1 to ${MAX_K}`);
  return k;
}

function parseBody(event) {
  if (typeof event.body !== 'string' || event.body.length === 0) throw new HttpError(400, 'the body must be JSON: {"vector": [...], "k": 10}');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object');
  if (!Array.isArray(body.vector) || !body.vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new HttpError(400, 'vector must be an array of finite numbers');
  }
  return { vector: body.vector, k: parseK(body.k) };
}

const neighbours = (hits) => hits.map((hit) => ({ word: hit.key ?? String(hit.id), distance: hit.distance }));

/**
 * Opens the snapshot once and hands out its indexes. `source` (see
 * snapshot-source.mjs) is used only when no shipped file is given.
 */
export function openSnapshot({ shippedPath, source, tmpDir = '/tmp', verify = true }) {
  let ready;
  const open = async () => {
    if (shippedPath) return Database.open(shippedPath, { readOnly: true, verify });
    if (!source) throw new Error('no snapshot: set ARROY_SNAPSHOT_PATH or ARROY_SNAPSHOT_URL');
    const local = path.join(tmpDir, 'arroy-snapshot.arroy');
    // /tmp outlives a failed start of the same execution environment: reuse
    // a copy that verifies, fetch again otherwise.
    if (fs.existsSync(local)) {
      try {
        return Database.open(local, { readOnly: true, verify: true });
      } catch {
        fs.rmSync(local, { force: true });
      }
    }
    await source.fetchTo(local);
    return Database.open(local, { readOnly: true, verify: true });
  };
  return () => {
    // Concurrent first requests share one open; a failed one is retried by the next request.
    ready ??= open().catch((error) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
}

/** The Lambda handler for a database getter (see openSnapshot), the default index name and where failures are logged. */
export function createHandler({ database, defaultIndex = 'default', log = console.error }) {
  // A snapshot never changes: its index names are read once.
  const namesOf = new WeakMap();
  const hasIndex = (db, name) => {
    if (!namesOf.has(db)) namesOf.set(db, new Set(db.names()));
    return namesOf.get(db).has(name);
  };
  return async function handler(event) {
    const method = event?.requestContext?.http?.method ?? 'GET';
    const route = /^\/(?:indexes\/([^/]+)\/)?search\/?$/.exec(event?.rawPath ?? '/');
    if (!route) return problem(404, `no route ${event?.rawPath}`);
    if (method !== 'GET' && method !== 'POST') return json(405, { error: `${method} is not allowed here` }, { allow: 'GET, POST' });
    const name = route[1] === undefined ? defaultIndex : decodeURIComponent(route[1]);
    try {
      const db = await database();
      if (!hasIndex(db, name)) return problem(404, `no index named ${name}`);
      const index = db.index(name);
      if (method === 'GET') {
        const params = event.queryStringParameters ?? {};
        if (typeof params.q !== 'string' || params.q.length === 0) throw new HttpError(400, 'the query parameter q (a word) is required');
        const k = parseK(params.k);
        if (index.keys !== 'string') throw new HttpError(400, `index ${name} has numeric ids, not words: POST a vector`);
        // k + 1: the word itself comes first, and is not its own neighbour.
        const hits = index.searchById(params.q, { k: k + 1 });
        if (hits === undefined) return problem(404, `unknown word ${params.q}`);
        return json(200, { index: name, q: params.q, neighbors: neighbours(hits.filter((hit) => hit.key !== params.q).slice(0, k)) });
      }
      const { vector, k } = parseBody(event);
      return json(200, { index: name, neighbors: neighbours(index.search(vector, { k })) });
    } catch (error) {
      if (error instanceof HttpError) return problem(error.statusCode, error.message);
      if (error instanceof ArroyError && (error.code === 'ERR_ARROY_DIMENSION_MISMATCH' || error.code === 'ERR_ARROY_INVALID_ARGUMENT')) {
        return problem(400, error.message);
      }
      // The snapshot is missing or damaged, or the store failed: the client
      // may retry; the next request opens (or downloads) again.
      log(error);
      return problem(503, 'the index is not available', error instanceof ArroyError ? { code: error.code } : {});
    }
  };
}

const env = process.env;
export const handler = createHandler({
  database: openSnapshot({
    shippedPath: env.ARROY_SNAPSHOT_PATH,
    source: env.ARROY_SNAPSHOT_URL ? urlSnapshotSource(env.ARROY_SNAPSHOT_URL) : undefined,
    tmpDir: env.ARROY_TMP_DIR ?? '/tmp',
    verify: env.ARROY_VERIFY !== '0',
  }),
  defaultIndex: env.ARROY_INDEX ?? 'default',
});
