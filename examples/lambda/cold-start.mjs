// Measures the example's cold start: fresh processes (invoke.mjs) that import
// the handler and answer requests, with the snapshot in the page cache or
// dropped from it. Shared by test/lambda-example.test.ts and
// bench/snapshot.mjs.
//
// The cache is dropped per file with posix_fadvise(POSIX_FADV_DONTNEED),
// which GNU dd issues for `iflag=nocache count=0` (no root needed, unlike
// /proc/sys/vm/drop_caches); util-linux's fincore, when present, reports how
// much of the file stayed cached.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const HANDLER = path.join(here, 'handler.mjs');
const INVOKE = path.join(here, 'invoke.mjs');

/** Drops the file's pages from the page cache; false when dd cannot. */
export function dropFromCache(file) {
  return spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']).status === 0;
}

/** Bytes of the file in the page cache (fincore), or undefined without fincore. */
export function cachedBytes(file) {
  try {
    return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

/** An API Gateway HTTP API (payload 2.0) event. */
export function apiEvent(method, rawPath, { query, body, base64 = false } = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: new URLSearchParams(query ?? {}).toString(),
    ...(query ? { queryStringParameters: query } : {}),
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' }, stage: '$default' },
    ...(body !== undefined ? { body: base64 ? Buffer.from(body).toString('base64') : body } : {}),
    isBase64Encoded: base64,
  };
}

/**
 * Runs `events` through the handler in a fresh process with `env` as its
 * whole environment (plus PATH). Throws when the process fails.
 */
export function invokeFresh(events, env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-lambda-events-'));
  const eventsFile = path.join(dir, 'events.json');
  fs.writeFileSync(eventsFile, JSON.stringify(events));
  const started = performance.now();
  const run = spawnSync(process.execPath, [INVOKE, HANDLER, eventsFile], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, ...env } });
  const wallMs = performance.now() - started;
  fs.rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`the handler process failed (${run.status ?? run.signal}): ${run.stderr}`);
  const out = JSON.parse(run.stdout);
  return { ...out, wallMs, responses: out.calls.map((c) => ({ ...c.response, json: JSON.parse(c.response.body) })) };
}

/**
 * Cold starts of the handler on `snapshot`, `runs` fresh processes per case
 * (verify on and off × cache warm and dropped), as markdown table rows with
 * medians; `check(responses)` sees every run's answers.
 */
export function coldStartRows(snapshot, events, { runs = 3, check = () => {} } = {}) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [];
  for (const verify of [true, false]) {
    for (const cache of ['warm', 'dropped']) {
      const results = [];
      for (let i = 0; i < runs; i++) {
        if (cache === 'warm') fs.readFileSync(snapshot);
        else dropFromCache(snapshot);
        const cached = cachedBytes(snapshot);
        const run = invokeFresh(events, { ARROY_SNAPSHOT_PATH: snapshot, ARROY_VERIFY: verify ? '1' : '0' });
        check(run.responses);
        results.push({ ...run, cached });
      }
      const imp = median(results.map((r) => r.importMs));
      const first = median(results.map((r) => r.calls[0].ms));
      const second = median(results.map((r) => r.calls[1]?.ms ?? NaN));
      const cachedNote = results[0].cached === undefined ? '' : ` (${(results[0].cached / 1e6).toFixed(1)} MB cached)`;
      rows.push(
        `| ${verify ? 'yes' : 'no'} | ${cache}${cachedNote} | ${imp.toFixed(1)} | ${first.toFixed(1)} | **${(imp + first).toFixed(1)}** | ${second.toFixed(2)} | ${median(results.map((r) => r.wallMs)).toFixed(0)} |`,
      );
    }
  }
  return [
    '| verify | page cache | import (ms) | first request: open + query (ms) | import + first request (ms) | second request (ms) | process wall time (ms) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ];
}
