#!/usr/bin/env node
// Builds the index the Lambda example serves, from the shared GloVe data:
// the first `count` words (GloVe's frequency order) as string keys, cosine,
// and writes a verified snapshot of it, ready to ship.
//
//   node examples/lambda/build-snapshot.mjs <snapshot.arroy> [count, default 200000]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Index } from 'arroy-ts';
import { loadDataset, readWords } from '../../test/helpers/datasets.mjs';

/** Builds the word index of the first `count` GloVe words into `live` and snapshots it to `destination`. */
export async function buildWordSnapshot({ destination, count = 200_000, live }) {
  const ds = loadDataset('glove-100-angular');
  const words = readWords();
  const file = live ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-lambda-')), 'live.arroy');
  const index = Index.open(file, { dimensions: ds.dim, distance: 'cosine', keys: 'string' });
  const n = Math.min(count, ds.baseCount);
  for (let i = 0; i < n; i++) index.add(words[i], ds.row('base', i));
  await index.build({ seed: 42 });
  const snapshot = await index.snapshot(destination);
  return { index, live: file, snapshot, words: words.slice(0, n), vectors: (i) => ds.row('base', i) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [destination, count] = process.argv.slice(2);
  if (!destination) {
    console.error('usage: node examples/lambda/build-snapshot.mjs <snapshot.arroy> [count]');
    process.exit(2);
  }
  const { index, live, snapshot } = await buildWordSnapshot({ destination, count: count ? Number(count) : undefined });
  index.close();
  fs.rmSync(path.dirname(live), { recursive: true, force: true });
  console.log(`${snapshot.path}: ${snapshot.bytes} bytes (CRC32C ${snapshot.crc.toString(16)}), ${snapshot.durationMs.toFixed(0)} ms`);
}
