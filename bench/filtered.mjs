// Filtered search on one dataset: unfiltered search at the default searchK,
// then 1% and 10% of the ids allowed, chosen at random and as one contiguous
// run, each with the cost model's choice ('auto') and with each strategy
// forced. Recall@10 is against the exact k nearest among the allowed ids.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Filter, Index } from '../dist/index.mjs';
import { contiguousSubset, filteredTruth, randomSubset, recallAgainst, recallAtK } from '../test/helpers/datasets.mjs';

const PASSES = 3;

function timeQueries(ds, search) {
  let best = Infinity;
  let results;
  for (let pass = 0; pass < PASSES; pass++) {
    const out = [];
    const t = performance.now();
    for (let q = 0; q < ds.queryCount; q++) out.push(search(ds.row('queries', q)));
    best = Math.min(best, performance.now() - t);
    results = out;
  }
  return { results, qps: ds.queryCount / (best / 1000) };
}

export async function measureFiltered(ds) {
  const file = path.join(os.tmpdir(), `arroy-bench-filtered-${process.pid}.arroy`);
  const index = Index.open(file, { dimensions: ds.dim, distance: ds.distance });
  for (let i = 0; i < ds.baseCount; i++) index.add(i, ds.row('base', i));
  await index.build({ seed: 42 });

  const rows = [];
  const unfiltered = timeQueries(ds, (q) => index.searchIds(q, { k: 10 }));
  rows.push({ filter: 'none', allowed: ds.baseCount, strategy: 'auto → forest', recall: recallAtK(unfiltered.results.map((r) => Array.from(r)), ds, 10), qps: unfiltered.qps });

  const subsets = [
    ['1% random', randomSubset(ds, 0.01, 1)],
    ['10% random', randomSubset(ds, 0.1, 2)],
    ['1% contiguous ids', contiguousSubset(ds, 0.01, Math.floor(ds.baseCount / 2))],
    ['10% contiguous ids', contiguousSubset(ds, 0.1, Math.floor(ds.baseCount / 2))],
  ];
  for (const [label, ids] of subsets) {
    console.error(`  filtered: ${label} ...`);
    const truth = filteredTruth(ds, ids, 10);
    const filter = new Filter(ids);
    for (const strategy of ['auto', 'forest', 'exact']) {
      let ran;
      const { results, qps } = timeQueries(ds, (q) => {
        const r = index.searchDetailed(q, { k: 10, filter, strategy });
        ran = r.strategy;
        return r.neighbors.map((n) => n.id);
      });
      rows.push({ filter: label, allowed: ids.length, strategy: strategy === 'auto' ? `auto → ${ran}` : strategy, recall: recallAgainst(results, truth), qps });
    }
  }
  index.close();
  for (const f of [file, `${file}-lock`]) fs.rmSync(f, { force: true });
  return { rows, unfilteredQps: unfiltered.qps };
}
