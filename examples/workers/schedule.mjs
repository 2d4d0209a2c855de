// The writer's plan, shared by the writer and every reader: which ids exist
// after each generation (each committed build) and which version of its
// vector each one holds. It is a pure function of the generation number, so a
// reader can replay it and check any result against what was committed
// without asking the writer anything.
//
// Every generation adds more items than it deletes, so the index's size
// grows strictly: the size a reader reads names the generation it saw.

export const DIMENSIONS = 16;
export const INITIAL = 2_000;
const ADDS = 40;
const DELETES = 25;
const UPDATES = 30;

/** A small seeded generator (mulberry32): the same seed gives the same stream in every process. */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The vector stored for `id` at `version`: changing the version moves the item. */
export function vectorOf(id, version) {
  const next = random(Math.imul(id, 2654435761) ^ Math.imul(version + 1, 40503));
  const v = new Float32Array(DIMENSIONS);
  for (let i = 0; i < DIMENSIONS; i++) v[i] = next() * 2 - 1;
  return v;
}

/** A query vector, from the reader's own stream. */
export function queryFrom(next) {
  const q = new Float32Array(DIMENSIONS);
  for (let i = 0; i < DIMENSIONS; i++) q[i] = next() * 2 - 1;
  return q;
}
export { random };

/** Euclidean distance as the index reports it, computed here from the expected vector. */
export function euclidean(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}

/**
 * Replays the plan. `states[g]` is the Map id → version after generation g
 * (generation 0 is the first, full build); `changes(g)` lists what the writer
 * applies to go from g − 1 to g.
 */
export class Schedule {
  constructor(seed = 7) {
    this.next = random(seed);
    this.nextId = INITIAL;
    const first = new Map();
    for (let id = 0; id < INITIAL; id++) first.set(id, 0);
    this.states = [first];
    this.plans = [{ adds: [...first.keys()], updates: [], deletes: [] }];
    this.bySize = new Map([[first.size, 0]]);
  }

  /** The state after generation g, replaying the plan as far as needed. */
  state(g) {
    while (this.states.length <= g) this.#advance();
    return this.states[g];
  }

  /** What generation g changes: `{ adds, updates, deletes }` (ids). */
  changes(g) {
    this.state(g);
    return this.plans[g];
  }

  /** The generation whose state has `size` items, or undefined (sizes grow strictly). */
  generationOfSize(size) {
    while (this.states.at(-1).size < size) this.#advance();
    return this.bySize.get(size);
  }

  #advance() {
    const previous = this.states.at(-1);
    const state = new Map(previous);
    const live = [...state.keys()];
    const pick = () => live.splice(Math.floor(this.next() * live.length), 1)[0];
    const deletes = Array.from({ length: DELETES }, pick);
    const updates = Array.from({ length: UPDATES }, pick);
    for (const id of deletes) state.delete(id);
    for (const id of updates) state.set(id, state.get(id) + 1);
    const adds = Array.from({ length: ADDS }, () => this.nextId++);
    for (const id of adds) state.set(id, 0);
    this.plans.push({ adds, updates, deletes });
    this.bySize.set(state.size, this.states.length);
    this.states.push(state);
  }
}
