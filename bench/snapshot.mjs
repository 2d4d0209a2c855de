#!/usr/bin/env node
// npm run bench:snapshot: what snapshots cost on GloVe 200k (the Lambda
// example's word index: string keys, cosine, default build): the live file
// after a full build and after a 1% overwrite (which leaves free pages
// behind), compacted and plain snapshots of each, how long writing one
// takes, the verified open's checksum pass per 100 MB with the page cache
// warm and dropped, and the Lambda example's cold start on that snapshot
// (fresh processes, examples/lambda/cold-start.mjs). Part of npm run bench;
// run alone, it only prints.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Index } from '../dist/index.mjs';
import { buildWordSnapshot } from '../examples/lambda/build-snapshot.mjs';
import { apiEvent, cachedBytes, coldStartRows, dropFromCache } from '../examples/lambda/cold-start.mjs';
import { fmt, isMain, provenance } from './lib/common.mjs';

const RUNS = 5;
const MB = 1e6;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeVerify(file, cold) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    if (cold) dropFromCache(file);
    const t = performance.now();
    Index.open(file, { readOnly: true, verify: true }).close();
    times.push(performance.now() - t);
  }
  return median(times);
}

export async function snapshotSection() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-bench-snapshot-'));
  const file = (name) => path.join(dir, name);
  const built = await buildWordSnapshot({ destination: file('fresh.arroy'), live: file('live.arroy') });
  const fresh = { live: fs.statSync(file('live.arroy')).size, snapshot: built.snapshot, whole: await built.index.snapshot(file('fresh-whole.arroy'), { wholeFile: true }) };
  // A 1% overwrite, as a live index sees: 2,000 words take other vectors.
  for (let i = 0; i < 2000; i++) built.index.add(built.words[i], built.vectors(built.words.length - 1 - i));
  await built.index.build();
  const live = fs.statSync(file('live.arroy')).size;
  const compact = await built.index.snapshot(file('compact.arroy'));
  const whole = await built.index.snapshot(file('whole.arroy'), { wholeFile: true });
  const plain = await built.index.snapshot(file('plain.arroy'), { wholeFile: true, compact: false });
  built.index.close();

  const snap = compact.path;
  const warm = timeVerify(snap, false);
  dropFromCache(snap);
  const resident = cachedBytes(snap);
  const cold = timeVerify(snap, true);
  const events = [apiEvent('GET', '/search', { query: { q: 'king', k: '10' } }), apiEvent('GET', '/search', { query: { q: 'woman', k: '10' } })];
  const lambda = coldStartRows(snap, events, {
    check: (responses) => {
      if (responses.some((r) => r.statusCode !== 200)) throw new Error(`the handler answered ${responses.map((r) => r.statusCode)}`);
    },
  });
  fs.rmSync(dir, { recursive: true, force: true });

  const per100 = (ms) => (ms * 100 * MB) / compact.bytes;
  const mb = (bytes) => fmt(bytes / MB, 1);
  return [
    '## Snapshots (GloVe 200k × 100 words, string keys, default build)',
    '',
    `Checksum: CRC32C (${Index.checksum}). The page cache is dropped per file with \`dd iflag=nocache count=0\` ` +
      `(posix_fadvise DONTNEED)` +
      (resident === undefined ? '' : `; fincore then reports ${fmt(resident)} bytes of it cached`) +
      `. Times are medians of ${RUNS} runs.`,
    '',
    '| file | MB | snapshot / live | time to write |',
    '| --- | ---: | ---: | ---: |',
    `| live file after the full build | ${mb(fresh.live)} | | |`,
    `| \`index.snapshot()\` (the index alone, written in key order) | ${mb(fresh.snapshot.bytes)} | ${fmt((100 * fresh.snapshot.bytes) / fresh.live, 1)}% | ${fmt(fresh.snapshot.durationMs)} ms |`,
    `| \`wholeFile: true\` (LMDB's compacting copy) | ${mb(fresh.whole.bytes)} | ${fmt((100 * fresh.whole.bytes) / fresh.live, 1)}% | ${fmt(fresh.whole.durationMs)} ms |`,
    `| live file after a 1% overwrite | ${mb(live)} | | |`,
    `| \`index.snapshot()\` | ${mb(compact.bytes)} | ${fmt((100 * compact.bytes) / live, 1)}% | ${fmt(compact.durationMs)} ms |`,
    `| \`wholeFile: true\` | ${mb(whole.bytes)} | ${fmt((100 * whole.bytes) / live, 1)}% | ${fmt(whole.durationMs)} ms |`,
    `| \`wholeFile: true, compact: false\` | ${mb(plain.bytes)} | ${fmt((100 * plain.bytes) / live, 1)}% | ${fmt(plain.durationMs)} ms |`,
    '',
    `Verified open of the ${mb(compact.bytes)} MB snapshot (the checksum pass, then LMDB's open):`,
    '',
    '| page cache | ms | ms per 100 MB | MB/s |',
    '| --- | ---: | ---: | ---: |',
    `| warm | ${fmt(warm, 1)} | ${fmt(per100(warm), 1)} | ${fmt(compact.bytes / MB / (warm / 1000))} |`,
    `| dropped | ${fmt(cold, 1)} | ${fmt(per100(cold), 1)} | ${fmt(compact.bytes / MB / (cold / 1000))} |`,
    '',
    `The Lambda example (examples/lambda/handler.mjs) on that snapshot, 3 fresh processes per row (medians), ` +
      '`GET /search?q=king&k=10` then `q=woman`:',
    '',
    ...lambda,
    '',
  ];
}

if (isMain(import.meta.url)) {
  const lines = [...provenance('npm run bench:snapshot'), '', ...(await snapshotSection())];
  console.log(lines.join('\n'));
}
