#!/usr/bin/env node
// Incremental builds on GloVe: the time of a build after adding, deleting or
// overwriting 1% of the items, against the full build, and recall with the
// default search (the graph at recall 0.95) against a fresh full build over
// the same items.
//
//   npm run bench:incremental
//   (bench/incremental-rounds.mjs repeats one kind of change to compare two builds of the addon)
import { Index } from '../dist/index.mjs';
import { loadDataset, recallAtK } from '../test/helpers/datasets.mjs';
import { buildIndexOf, fmt, isMain, provenance, tempIndexFile } from './lib/common.mjs';

async function measureIncremental(ds) {
  const batch = Math.round(ds.baseCount / 100);
  const held = ds.baseCount - batch; // the last 1% is held back to be added later
  const built = await buildIndexOf(ds, 'incremental', {}, held);
  const index = built.index;
  const recall = (ix) => {
    const out = [];
    for (let q = 0; q < ds.queryCount; q++) out.push(Array.from(ix.searchIds(ds.row('queries', q), { k: 10 })));
    return recallAtK(out, ds, 10);
  };
  const rows = [];
  const step = async (label, change) => {
    change();
    const result = await index.build();
    rows.push({ label, ms: result.durationMs, incremental: result.incremental, recall: recall(index) });
  };
  const full = built.build.durationMs;
  rows.push({ label: `full build of ${held.toLocaleString('en-US')} items`, ms: full, incremental: false, recall: recall(index) });
  await step(`add ${batch.toLocaleString('en-US')} new items (1%)`, () => {
    for (let i = held; i < ds.baseCount; i++) index.add(i, ds.row('base', i));
  });
  await step(`delete ${batch.toLocaleString('en-US')} items`, () => {
    for (let i = 0; i < batch; i++) index.delete(i * 97);
  });
  await step(`overwrite ${batch.toLocaleString('en-US')} items`, () => {
    // New vectors: each item takes the vector of another (a real change of position).
    for (let i = 0; i < batch; i++) index.add(i * 97 + 1, ds.row('base', (i * 97 + 50) % ds.baseCount));
  });
  index.check();
  // A fresh full build over exactly the same items.
  const freshFile = tempIndexFile('incremental-fresh');
  const fresh = Index.open(freshFile.file, { dimensions: ds.dim, distance: ds.distance });
  for (const id of index.ids()) fresh.add(id, index.get(id));
  const freshBuild = await fresh.build({ seed: 42 });
  const result = { rows, full, freshRecall: recall(fresh), freshMs: freshBuild.durationMs, trees: index.trees, freshTrees: fresh.trees };
  fresh.close();
  freshFile.remove();
  built.close();
  return result;
}

/** The incremental-build section of RESULTS.md, as markdown lines. */
export async function incrementalSection() {
  console.error('glove-100-angular: incremental builds ...');
  const inc = await measureIncremental(loadDataset('glove-100-angular'));
  const lines = ['## Incremental builds (GloVe, 1% batches)', ''];
  lines.push(
    `Each row is one \`build()\` after the change named, applied in order to the same index (default build: a graph and ${inc.trees} trees). Recall@10 of the default search (no options: the graph at recall 0.95); a fresh full build over the final items (${inc.freshTrees} trees) took ${fmt(inc.freshMs / 1000, 1)} s and reaches recall ${inc.freshRecall.toFixed(3)}.`,
    '',
  );
  lines.push('| build | seconds | % of full build | incremental | recall@10 |', '| --- | ---: | ---: | --- | ---: |');
  for (const r of inc.rows) {
    lines.push(`| ${r.label} | ${fmt(r.ms / 1000, 2)} | ${((100 * r.ms) / inc.full).toFixed(1)}% | ${r.incremental ? 'yes' : 'no'} | ${r.recall.toFixed(3)} |`);
  }
  lines.push('');
  return lines;
}

if (isMain(import.meta.url)) console.log([...provenance('npm run bench:incremental'), '', ...(await incrementalSection())].join('\n'));
