// Attribute filters on real data: a random 30k of GloVe with synthetic
// attributes (a category of 100 values, a number spread evenly over 0..999),
// searched with `where` at 1% and 10% selectivity and compared with brute
// force over the matching items. The same set given as an id filter must
// give the same answers: `where` resolves into the id filter's slot set.
// (Left out of test:asan with the other *-glove tests.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Filter, Index, type Where } from '../src/index';
import { filteredTruth, loadDataset, randomSubset, recallAgainst, type Dataset } from './helpers/datasets.mjs';
import { tempIndexPath } from './helpers/tmp';

const QUERIES = 300;

// Deterministic, unrelated to the vectors: a multiplicative hash of the id.
const category = (id: number) => `c${(Math.imul(id, 2654435761) >>> 0) % 100}`;
const level = (id: number) => (Math.imul(id ^ 0x5bd1e995, 40503) >>> 0) % 1000;

describe('attribute filters on GloVe (30k)', () => {
  let ds: Dataset;
  let index: Index;
  let subset: Uint32Array;

  beforeAll(async () => {
    const full = loadDataset('glove-100-angular');
    ds = { ...full, queryCount: QUERIES, row: full.row.bind(full) };
    subset = randomSubset(full, 30000 / full.baseCount, 11);
    index = Index.open(tempIndexPath('glove-attrs'), { dimensions: ds.dim, distance: ds.distance });
    for (const id of subset) index.add(id, ds.row('base', id), { attributes: { category: category(id), level: level(id) } });
    await index.build({ seed: 7 });
  });
  afterAll(() => index?.close());

  function run(where: Where, options = {}) {
    const matching = Uint32Array.from(subset.filter((id) => {
      const c = category(id), l = level(id);
      if ('category' in where && where.category !== c) return false;
      const range = where.level as { $gte: number; $lt: number } | undefined;
      return !range || (l >= range.$gte && l < range.$lt);
    }));
    const truth = filteredTruth(ds, matching, 10);
    const results: number[][] = [];
    const viaFilter: number[][] = [];
    const filter = new Filter(matching);
    const strategies = new Set<string>();
    for (let q = 0; q < QUERIES; q++) {
      const query = ds.row('queries', q);
      const detailed = index.searchDetailed(query, { k: 10, where, ...options });
      strategies.add(detailed.strategy);
      results.push(detailed.neighbors.map((n) => n.id));
      viaFilter.push(Array.from(index.searchIds(query, { k: 10, filter, ...options })));
    }
    return { selectivity: matching.length / subset.length, recall: recallAgainst(results, truth), results, viaFilter, strategies };
  }

  it('reaches recall 0.99 at 1% selectivity, by category and by a numeric range', () => {
    for (const where of [{ category: 'c42' }, { level: { $gte: 500, $lt: 510 } }] as Where[]) {
      const r = run(where);
      console.log(`GloVe 30k where ${JSON.stringify(where)}: selectivity ${(100 * r.selectivity).toFixed(2)}%, recall ${r.recall.toFixed(4)}, ${[...r.strategies]}`);
      expect(r.selectivity).toBeGreaterThan(0.007);
      expect(r.selectivity).toBeLessThan(0.013);
      expect(r.recall).toBeGreaterThanOrEqual(0.99);
      expect(r.results).toEqual(r.viaFilter);
    }
  });

  it('matches the id-filter path at 10% selectivity', () => {
    const r = run({ level: { $gte: 100, $lt: 200 } });
    console.log(`GloVe 30k 10%: selectivity ${(100 * r.selectivity).toFixed(2)}%, recall ${r.recall.toFixed(4)}, ${[...r.strategies]}`);
    expect(r.selectivity).toBeGreaterThan(0.08);
    expect(r.recall).toBeGreaterThanOrEqual(0.95);
    expect(r.results).toEqual(r.viaFilter);
    const asked = run({ level: { $gte: 100, $lt: 200 } }, { recall: 0.99 });
    console.log(`GloVe 30k 10% at recall 0.99: ${asked.recall.toFixed(4)}`);
    expect(asked.recall).toBeGreaterThanOrEqual(0.985);
    // The graph walk over the same set (auto scans a set this small exactly).
    const graph = run({ level: { $gte: 100, $lt: 200 } }, { strategy: 'graph', recall: 0.99 });
    console.log(`GloVe 30k 10% through the graph at recall 0.99: ${graph.recall.toFixed(4)}`);
    expect([...graph.strategies]).toEqual(['graph']);
    expect(graph.results).toEqual(graph.viaFilter);
    expect(graph.recall).toBeGreaterThanOrEqual(0.95);
  });
});
