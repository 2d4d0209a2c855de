// Repeated incremental builds of one kind on GloVe 200k, for comparing two
// builds of the addon side by side (the machine is noisy: only ratios within
// one session mean anything).
//
//   npm run bench:rounds -- [kind] [rounds]
//   ARROY_ADDON_PATH=/path/to/other/arroy_ts.node npm run bench:rounds -- overwrite 8
//
// kind: overwrite (2,000 items take other items' vectors), delete (2,000
// items), add (2,000 new items), same (2,000 items stored again with their
// own vectors). Every round changes other items, on a fresh copy of one
// 198,000-item index built once per process. Prints the median, the minimum
// and every build's durationMs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Index } from '../dist/index.mjs';
import { loadDataset } from '../test/helpers/datasets.mjs';
import { buildIndexOf } from './lib/common.mjs';

const kind = process.argv[2] ?? 'overwrite';
const rounds = Number(process.argv[3] ?? 8);
const kinds = ['overwrite', 'delete', 'add', 'same'];
if (!kinds.includes(kind) || !(rounds >= 1)) {
  console.error(`usage: npm run bench:rounds -- [${kinds.join('|')}] [rounds]`);
  process.exit(2);
}

const ds = loadDataset('glove-100-angular');
const batch = Math.round(ds.baseCount / 100);
const held = ds.baseCount - batch; // ids held back for the 'add' rounds
const built = await buildIndexOf(ds, 'rounds-base', {}, held);
const base = built.file;
built.index.close();
const dir = path.dirname(base);

const change = {
  overwrite: (index, r) => {
    for (let i = 0; i < batch; i++) index.add(i * 97 + 1, ds.row('base', (i * 97 + 50 + r * 13) % held));
  },
  delete: (index, r) => {
    for (let i = 0; i < batch; i++) index.delete(i * 97 + 3 + r);
  },
  add: (index, r) => {
    for (let i = 0; i < batch; i++) index.add(1e6 + r * batch + i, ds.row('base', held + ((i + r * 7) % batch)));
  },
  same: (index) => {
    for (let i = 0; i < batch; i++) index.add(i * 97 + 1, ds.row('base', i * 97 + 1));
  },
}[kind];

const times = [];
for (let r = 0; r < rounds; r++) {
  const file = path.join(dir, `arroy-bench-round-${process.pid}-${r}.arroy`);
  fs.copyFileSync(base, file);
  const index = Index.open(file);
  change(index, r);
  const result = await index.build();
  if (!result.incremental) throw new Error('the build was not incremental');
  times.push(result.durationMs);
  index.close();
  fs.rmSync(file);
  fs.rmSync(`${file}-lock`, { force: true });
}
built.close();

const sorted = [...times].sort((a, b) => a - b);
const ms = (t) => t.toFixed(0);
console.log(
  `${kind}: ${batch} items, ${rounds} builds: median ${ms(sorted[sorted.length >> 1])} ms, min ${ms(sorted[0])} ms ` +
    `(${times.map(ms).join(' ')})`,
);
