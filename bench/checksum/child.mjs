// One side of bench/checksum/run.mjs: loads the arroy-ts build whose
// dist/index.mjs is argv[2], builds GloVe's first `count` vectors, and prints
// one JSON line of timings. CPU times (process.cpuUsage) are reported beside
// wall times: on a shared machine another process's load lengthens the wall
// clock but not this process's CPU time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDataset } from '../../test/helpers/datasets.mjs';

const [distEntry, countArg, label] = process.argv.slice(2);
const { Index } = await import(pathToFileURL(distEntry).href);
const ds = loadDataset('glove-100-angular');
const count = Number(countArg);
const SEARCH_K = 8000;
const PASSES = 3;

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
// Best of PASSES runs of fn, in wall and CPU seconds.
function best(fn) {
  let wall = Infinity, cpuTime = Infinity;
  for (let pass = 0; pass < PASSES; pass++) {
    const [w, c] = [performance.now(), cpu()];
    fn();
    wall = Math.min(wall, (performance.now() - w) / 1000);
    cpuTime = Math.min(cpuTime, cpu() - c);
  }
  return { wall, cpu: cpuTime };
}

const file = path.join(os.tmpdir(), `arroy-checksum-ab-${label}-${process.pid}.arroy`);
const index = Index.open(file, { dimensions: ds.dim, distance: ds.distance });
for (let i = 0; i < count; i++) index.add(i, ds.row('base', i));
// One build thread: the ratio then compares the same work, not the scheduler.
const [w0, c0] = [performance.now(), cpu()];
await index.build({ seed: 42, trees: 20, threads: 1 });
const build = { wall: (performance.now() - w0) / 1000, cpu: cpu() - c0 };

let digest = 2166136261;
const search = best(() => {
  digest = 2166136261;
  for (let q = 0; q < ds.queryCount; q++) {
    for (const id of index.searchIds(ds.row('queries', q), { k: 10, searchK: SEARCH_K })) digest = Math.imul(digest ^ id, 16777619) >>> 0;
  }
});
const get = best(() => {
  for (let i = 0; i < count; i++) index.get(i);
});
const check = best(() => index.check());
const deepCheck = best(() => index.check({ deep: true }));  // builds without checksums ignore the option
index.close();
const bytes = fs.statSync(file).size;
for (const f of [file, `${file}-lock`]) fs.rmSync(f, { force: true });

console.log(JSON.stringify({
  label, count, bytes, searchK: SEARCH_K, queries: ds.queryCount, digest,
  build, search, get, check, deepCheck,
}));
