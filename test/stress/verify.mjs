// Checks in the test process that a file holds exactly generation g of the
// history: the same ids (and string keys), each with the vector that
// generation wrote for it, and a forest that passes check().
import { History, keyOf, vectorOf } from './plan.mjs';

/** Throws unless `index` holds generation g; `keyed` says it addresses items by keyOf(id). */
export function expectGeneration(index, history, g, keyed = false) {
  history.advanceTo(g);
  const expected = [];
  for (const [id] of history.events) if (history.versionAt(id, g) >= 0) expected.push(id);
  expected.sort((a, b) => a - b);
  const actual = keyed ? [...index.keyNames()] : [...index.ids()];
  const wanted = keyed ? expected.map(keyOf).sort() : expected;
  if (actual.length !== wanted.length || actual.some((x, i) => x !== wanted[i])) {
    throw new Error(`the ${keyed ? 'keys' : 'ids'} differ from generation ${g} (${actual.length} vs ${wanted.length})`);
  }
  for (const id of expected) {
    const stored = index.get(keyed ? keyOf(id) : id);
    const v = vectorOf(id, history.versionAt(id, g));
    if (!stored || stored.some((x, j) => x !== v[j])) throw new Error(`item ${id} does not hold its generation-${g} vector`);
  }
  index.check();
}

/** Which of the generations `candidates` the index holds (the first that matches), or throws. */
export function whichGeneration(candidates, check) {
  const failures = [];
  for (const g of candidates) {
    try {
      check(g);
      return g;
    } catch (error) {
      failures.push(`${g}: ${error.message}`);
    }
  }
  throw new Error(`the file holds none of generations ${candidates.join(', ')}: ${failures.join('; ')}`);
}

export { History };
