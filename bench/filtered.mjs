#!/usr/bin/env node
// Filtered search on GloVe: unfiltered search at the default searchK, then 1%
// and 10% of the ids allowed, chosen at random and as one contiguous run,
// each with the cost model's choice ('auto') and with each strategy forced.
// Recall@10 is against the exact k nearest among the allowed ids.
//
//   npm run bench:filtered
import { Filter } from '../dist/index.mjs';
import { contiguousSubset, filteredTruth, loadDataset, randomSubset, recallAgainst, recallAtK } from '../test/helpers/datasets.mjs';
import { buildIndexOf, fmt, isMain, provenance, timeQueries } from './lib/common.mjs';

async function measureFiltered(ds) {
  const built = await buildIndexOf(ds, 'filtered');
  const index = built.index;
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
  built.close();
  return { rows, unfilteredQps: unfiltered.qps };
}

/** The filtered-search section of RESULTS.md, as markdown lines. */
export async function filteredSection() {
  console.error('glove-100-angular: filtered search ...');
  const f = await measureFiltered(loadDataset('glove-100-angular'));
  const lines = ['## Filtered search (GloVe, k = 10, default searchK)', ''];
  lines.push(
    "Each filter allows a share of the ids, chosen at random or as one contiguous run (GloVe ids follow word frequency, so a run is a frequency band). Recall@10 is against the exact 10 nearest among the allowed ids (brute force). `auto` is the cost model's choice (native/core/search/strategy.cc, `choose_strategy`); the forced rows show what each strategy alone gives. The goal: recall ≥ 0.99 at 1% and ≥ 0.95 at 10%, at no less than the unfiltered QPS.",
    '',
  );
  lines.push('| filter | allowed | strategy | recall@10 | QPS | vs unfiltered |', '| --- | ---: | --- | ---: | ---: | ---: |');
  for (const r of f.rows) {
    lines.push(`| ${r.filter} | ${r.allowed.toLocaleString('en-US')} | ${r.strategy} | ${r.recall.toFixed(3)} | ${fmt(r.qps)} | ${(r.qps / f.unfilteredQps).toFixed(2)}× |`);
  }
  lines.push('');
  return lines;
}

if (isMain(import.meta.url)) console.log([...provenance('npm run bench:filtered'), '', ...(await filteredSection())].join('\n'));
