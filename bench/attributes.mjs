#!/usr/bin/env node
// Attribute filters on GloVe: each item gets a category (100 values, from a
// hash of its id) and a level (0..999, another hash), and searches filter by
// `where` at 1% and 10% selectivity (a category / a range of levels; ten
// categories / a wider range). Each is set against the same items given as an
// id filter (a Filter, resolved once per commit and reused), so the rows show
// what resolving a `where` through the inverted index costs per query on top
// of the same search. Recall@10 is against the exact 10 nearest among the
// matching items.
//
//   npm run bench:attributes            (ARROY_BENCH_ITEMS: how many GloVe rows, default all)
import { Filter, Index } from '../dist/index.mjs';
import { filteredTruth, loadDataset, recallAgainst } from '../test/helpers/datasets.mjs';
import { fmt, isMain, provenance, tempIndexFile, timeQueries } from './lib/common.mjs';

const category = (id) => `c${(Math.imul(id, 2654435761) >>> 0) % 100}`;
const level = (id) => (Math.imul(id ^ 0x5bd1e995, 40503) >>> 0) % 1000;

async function measure(ds, count) {
  const temp = tempIndexFile('attributes');
  const index = Index.open(temp.file, { dimensions: ds.dim, distance: ds.distance });
  for (let i = 0; i < count; i++) index.add(i, ds.row('base', i), { attributes: { category: category(i), level: level(i) } });
  const started = performance.now();
  await index.build({ seed: 42 });
  const buildMs = performance.now() - started;
  const cases = [
    ['1%', 'category = c42', { category: 'c42' }, (i) => category(i) === 'c42'],
    ['1%', 'level in [500, 510)', { level: { $gte: 500, $lt: 510 } }, (i) => level(i) >= 500 && level(i) < 510],
    ['10%', 'category in 10 values', { category: { $in: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9'] } }, (i) => Number(category(i).slice(1)) < 10],
    ['10%', 'level in [100, 200)', { level: { $gte: 100, $lt: 200 } }, (i) => level(i) >= 100 && level(i) < 200],
  ];
  const rows = [];
  for (const [share, label, where, test] of cases) {
    console.error(`  attributes: ${label} ...`);
    const ids = Uint32Array.from({ length: count }, (_, i) => i).filter(test);
    const truth = filteredTruth(ds, ids, 10);
    const filter = new Filter(ids);
    for (const [path, options] of [['where', { where }], ['Filter (ids)', { filter }]]) {
      let ran;
      const { results, qps } = timeQueries(ds, (q) => {
        const r = index.searchDetailed(q, { k: 10, ...options });
        ran = r.strategy;
        return r.neighbors.map((n) => n.id);
      });
      rows.push({ share, label, allowed: ids.length, path, strategy: ran, recall: recallAgainst(results, truth), qps });
    }
  }
  const nothing = timeQueries(ds, (q) => index.searchIds(q, { k: 10, where: { category: 'none' } }));
  index.close();
  temp.remove();
  return { rows, buildMs, nothingQps: nothing.qps };
}

/** The attribute-filter section of RESULTS.md, as markdown lines. */
export async function attributesSection() {
  const ds = loadDataset('glove-100-angular');
  const count = Math.min(ds.baseCount, Number(process.env.ARROY_BENCH_ITEMS ?? ds.baseCount));
  console.error(`glove-100-angular: attribute filters on ${count} items ...`);
  const m = await measure(ds, count);
  const lines = ['## Attribute filters', ''];
  lines.push(
    `GloVe, the first ${count.toLocaleString('en-US')} items, each with attributes \`{ category: one of 100, level: 0..999 }\` (hashes of the id); k = 10, default recall, ${ds.queryCount} queries, best of 3 passes, one thread. The same matching items as a \`where\` (a new object each call: normalised in TS, converted, found in the index's where cache, so resolved through the inverted index once per commit) and as a \`Filter\` of their ids (resolved once per commit, then reused); recall@10 against the exact 10 nearest among them. Build with attributes: ${fmt(m.buildMs / 1000, 1)} s. A \`where\` matching nothing: ${fmt(m.nothingQps)} QPS.`,
    '',
  );
  lines.push('| selectivity | where | allowed | path | strategy | recall@10 | QPS |', '| --- | --- | ---: | --- | --- | ---: | ---: |');
  for (const r of m.rows) lines.push(`| ${r.share} | ${r.label} | ${r.allowed.toLocaleString('en-US')} | ${r.path} | ${r.strategy} | ${r.recall.toFixed(4)} | ${fmt(r.qps)} |`);
  lines.push('');
  return lines;
}

if (isMain(import.meta.url)) console.log([...provenance('npm run bench:attributes'), '', ...(await attributesSection())].join('\n'));
