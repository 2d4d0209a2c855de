#!/usr/bin/env node
// npm run bench:snapshot: what a snapshot costs on GloVe 200k (the demo's
// index): the live file after a full build and after a 1% overwrite (which
// leaves free pages), the compacted and plain snapshots of it, how long
// writing one takes, and how long the verified open's checksum pass takes,
// per 100 MB, with the file in the page cache and with it dropped
// (posix_fadvise(DONTNEED) through GNU dd's iflag=nocache, checked with
// fincore when present). Part of npm run bench; run alone, it only prints.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Index } from '../dist/index.mjs';
import { loadDataset } from '../test/helpers/datasets.mjs';
import { buildIndexOf, fmt, isMain, provenance, tempIndexFile } from './lib/common.mjs';

const RUNS = 5;
const MB = 1e6;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Drops the file's pages from the page cache; false when that cannot be done here. */
export function dropFromCache(file) {
  const run = spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  return run.status === 0;
}

/** Bytes of the file in the page cache, from util-linux's fincore; undefined without it. */
export function cachedBytes(file) {
  try {
    const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file], { encoding: 'utf8' });
    return Number(out.trim());
  } catch {
    return undefined;
  }
}

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
  const ds = loadDataset('glove-100-angular');
  const built = await buildIndexOf(ds, 'snapshot');
  const fresh = fs.statSync(built.file).size;
  // A 1% overwrite, as a live index sees: items 0..1999 take other vectors.
  for (let i = 0; i < 2000; i++) built.index.add(i, ds.row('base', ds.baseCount - 1 - i));
  await built.index.build();
  const live = fs.statSync(built.file).size;
  const compact = tempIndexFile('snapshot-compact');
  const plain = tempIndexFile('snapshot-plain');
  const written = await built.index.snapshot(compact.file);
  const plainWritten = await built.index.snapshot(plain.file, { compact: false });
  const query = ds.row('queries', 0);
  const expected = built.index.searchIds(query, { k: 10 }).join(',');
  built.close();

  const warm = timeVerify(compact.file, false);
  const droppable = dropFromCache(compact.file);
  const residentAfterDrop = cachedBytes(compact.file);
  const cold = droppable ? timeVerify(compact.file, true) : undefined;
  // What a cold start pays: open (with and without the checksum pass) and the first query.
  const opens = (verify) => {
    dropFromCache(compact.file);
    const t = performance.now();
    const index = Index.open(compact.file, { readOnly: true, verify });
    const got = index.searchIds(query, { k: 10 }).join(',');
    const ms = performance.now() - t;
    index.close();
    if (got !== expected) throw new Error('the snapshot answered differently from its source');
    return ms;
  };
  const openPlain = median(Array.from({ length: RUNS }, () => opens(false)));
  const openVerified = median(Array.from({ length: RUNS }, () => opens(true)));
  compact.remove();
  plain.remove();

  const per100 = (ms) => (ms === undefined ? undefined : (ms * 100 * MB) / written.bytes);
  const mb = (bytes) => fmt(bytes / MB, 1);
  return [
    '## Snapshots (GloVe 200k × 100, default build)',
    '',
    `Snapshot of the live file after a full build and a 1% overwrite; checksum: CRC32C (${Index.checksum}). ` +
      `Cache dropped with \`dd iflag=nocache count=0\` (posix_fadvise DONTNEED)` +
      (residentAfterDrop === undefined ? '' : `; fincore then reports ${fmt(residentAfterDrop)} bytes resident`) +
      `. Times are medians of ${RUNS} runs.`,
    '',
    '| file | MB | time to write |',
    '| --- | ---: | ---: |',
    `| live file after the full build | ${mb(fresh)} | |`,
    `| live file after the 1% overwrite | ${mb(live)} | |`,
    `| snapshot, compacted (default) | ${mb(written.bytes)} (${fmt((100 * written.bytes) / live, 1)}% of live) | ${fmt(written.durationMs)} ms |`,
    `| snapshot, \`compact: false\` | ${mb(plainWritten.bytes)} | ${fmt(plainWritten.durationMs)} ms |`,
    '',
    '| verified open (checksum pass) | ms | ms per 100 MB | MB/s |',
    '| --- | ---: | ---: | ---: |',
    `| page cache warm | ${fmt(warm, 1)} | ${fmt(per100(warm), 1)} | ${fmt(written.bytes / MB / (warm / 1000))} |`,
    `| page cache dropped | ${fmt(cold, 1)} | ${fmt(per100(cold), 1)} | ${cold === undefined ? '—' : fmt(written.bytes / MB / (cold / 1000))} |`,
    '',
    '| cold open + first query (cache dropped) | ms |',
    '| --- | ---: |',
    `| \`readOnly: true\` | ${fmt(openPlain, 1)} |`,
    `| \`readOnly: true, verify: true\` | ${fmt(openVerified, 1)} |`,
    '',
  ];
}

if (isMain(import.meta.url)) {
  const lines = [...provenance('npm run bench:snapshot'), '', ...(await snapshotSection())];
  console.log(lines.join('\n'));
}

