// Quick parameter exploration (not the published benchmark): builds one
// dataset with given trees/bucket capacity and prints recall/QPS per searchK.
// node bench/tune.mjs glove-100-angular 16 64 500,1000,2000
import { Index } from '../dist/index.mjs';
import { loadDataset, recallAtK } from '../test/helpers/datasets.mjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const [name, trees, bucket, sks] = process.argv.slice(2);
const ds = loadDataset(name);
const file = path.join(os.tmpdir(), `tune-${process.pid}.arroy`);
const index = Index.open(file, { dimensions: ds.dim, distance: ds.distance });
for (let i = 0; i < ds.baseCount; i++) index.add(i, ds.row('base', i));
const t0 = performance.now();
await index.build({ trees: Number(trees), bucketCapacity: Number(bucket), seed: 1 });
const buildS = (performance.now() - t0) / 1000;
const bytes = fs.statSync(file).size;
console.log(`${name} trees=${trees} bucket=${bucket} build=${buildS.toFixed(1)}s size=${(bytes / 1e6).toFixed(1)}MB`);
for (const sk of sks.split(',').map(Number)) {
  const results = [];
  const t = performance.now();
  for (let q = 0; q < ds.queryCount; q++) results.push(index.search(ds.row('queries', q), { k: 10, searchK: sk }).map((n) => n.id));
  const qps = ds.queryCount / ((performance.now() - t) / 1000);
  console.log(`  searchK=${sk} recall@10=${recallAtK(results, ds, 10).toFixed(3)} qps=${qps.toFixed(0)}`);
}
index.close();
fs.rmSync(file); fs.rmSync(`${file}-lock`);
