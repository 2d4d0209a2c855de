// The deterministic history the multi-process tests write and check.
//
// Generation g (1, 2, ...) is one build. Its changes follow from g alone
// (a seeded generator) and the state before it: generation 1 adds
// INITIAL items; later ones delete some items, overwrite some, add new ones
// (never reusing an id), and every REBUILD_EVERY-th one rebuilds the forest
// from scratch. An item's vector encodes its id and the generation that
// last wrote it (vectorOf), so any reader can recompute what every
// generation holds and tell exactly which states a result is consistent with.

import { random } from '../helpers/random.mjs';

export const DIMENSIONS = 8;
export const INITIAL = 1500;
export const REBUILD_EVERY = 7;

const rng = (seed) => random((seed ^ 0x9e3779b9) >>> 0);

/**
 * The vector of item `id` as written by generation `version`. Every value is
 * a multiple of 1/256 below 2^13, so float32 stores it exactly.
 */
export function vectorOf(id, version) {
  const v = new Float32Array(DIMENSIONS);
  v[0] = version / 16;
  v[1] = (id % 4096) / 64;
  let h = Math.imul(id + 1, 0x9e3779b1) ^ Math.imul(version + 7, 0x85ebca6b);
  for (let j = 2; j < DIMENSIONS; j++) {
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    v[j] = ((h % 2048) - 1024) / 256;
  }
  return v;
}

export function keyOf(id) {
  return `item-${id}`;
}

/**
 * Replays generations lazily. For each id it keeps the history of
 * (generation, version or -1 for deleted), so the state of any generation
 * seen so far can be asked for.
 */
export class History {
  constructor() {
    this.generation = 0;
    this.live = []; // ids alive at this.generation, unordered
    this.position = new Map(); // id -> index in live
    this.nextId = 0;
    this.events = new Map(); // id -> [generation, version | -1][]
    this.sizes = [0]; // sizes[g]
  }

  #set(id, version) {
    let list = this.events.get(id);
    if (!list) this.events.set(id, (list = []));
    list.push([this.generation, version]);
  }

  #remove(id) {
    const at = this.position.get(id);
    const last = this.live.pop();
    if (last !== id) {
      this.live[at] = last;
      this.position.set(last, at);
    }
    this.position.delete(id);
    this.#set(id, -1);
  }

  /** Advances one generation and returns its changes. */
  step() {
    const g = ++this.generation;
    const random = rng(g * 2654435761);
    const changes = { generation: g, rebuild: g > 1 && g % REBUILD_EVERY === 0, deletes: [], writes: [] };
    if (g === 1) {
      for (let i = 0; i < INITIAL; i++) changes.writes.push(this.nextId++);
    } else {
      const deletes = 5 + Math.floor(random() * 60);
      const overwrites = 5 + Math.floor(random() * 60);
      const adds = 5 + Math.floor(random() * 80);
      const chosen = new Set();
      for (let i = 0; i < deletes + overwrites && this.live.length > chosen.size + 1; i++) {
        let id;
        do id = this.live[Math.floor(random() * this.live.length)];
        while (chosen.has(id));
        chosen.add(id);
        (i < deletes ? changes.deletes : changes.writes).push(id);
      }
      for (let i = 0; i < adds; i++) changes.writes.push(this.nextId++);
    }
    for (const id of changes.deletes) this.#remove(id);
    for (const id of changes.writes) {
      if (!this.position.has(id)) {
        this.position.set(id, this.live.length);
        this.live.push(id);
      }
      this.#set(id, g);
    }
    this.sizes[g] = this.live.length;
    return changes;
  }

  /** Replays up to generation g. */
  advanceTo(g) {
    while (this.generation < g) this.step();
  }

  /** The version of `id` in generation g (g <= this.generation), or -1 if absent. */
  versionAt(id, g) {
    const list = this.events.get(id);
    if (!list) return -1;
    let version = -1;
    for (const [at, v] of list) {
      if (at > g) break;
      version = v;
    }
    return version;
  }

  /** The ids alive in the current generation, ascending. */
  liveIds() {
    return [...this.live].sort((a, b) => a - b);
  }
}

/** Applies generation `changes` to an index (numeric ids) and, if given, a string-keyed one. */
export function applyChanges(changes, numeric, keyed) {
  for (const id of changes.deletes) {
    numeric.delete(id);
    keyed?.delete(keyOf(id));
  }
  for (const id of changes.writes) {
    const v = vectorOf(id, changes.generation);
    numeric.add(id, v);
    keyed?.add(keyOf(id), v);
  }
}

export function distance(a, b) {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return Math.sqrt(s);
}
