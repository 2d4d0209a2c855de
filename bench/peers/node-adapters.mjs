// The Node peers of bench:peers behind one face, each used through its own public npm API:
//   load()                                  imports the package (timed apart for cold starts)
//   build(lib, meta, base, config, file)    adds every vector, builds, saves to `file`;
//                                           returns { threads } (the build threads it used)
//   open(lib, meta, file, config)           opens the saved index for searching: a searcher
//                                           with setKnob(value) and query(Float32Array) -> ids
// The knob is whatever the config sweeps (config.knob): arroy-ts's ef (graph) or searchK
// (forest); its `recall` option or any other search option is just another config.knob.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { createRequire } from 'node:module';
import { K } from './data.mjs';

const require = createRequire(import.meta.url);

const arroy = {
  name: 'arroy-ts',
  async load() {
    return import('../../dist/index.mjs');
  },
  async build(lib, meta, base, config, file) {
    for (const f of [file, `${file}-lock`]) fs.rmSync(f, { force: true });
    const index = lib.Index.open(file, { dimensions: meta.dim, distance: meta.metric });
    for (let i = 0; i < meta.n; i++) index.add(i, base.subarray(i * meta.dim, (i + 1) * meta.dim));
    const result = await index.build({ seed: 42, ...config.build });
    const out = { threads: config.build.threads ?? os.cpus().length, trees: result.trees };
    index.close();
    return out;
  },
  open(lib, meta, file, config) {
    const index = lib.Index.open(file, { readOnly: true });
    const options = { k: K, ...config.search };
    return {
      setKnob(value) {
        options[config.knob] = value;
      },
      query(q) {
        return index.searchIds(q, options);
      },
      ids(result) {
        return Array.from(result);
      },
      // The ids and the exact distances the query computed (its work), where the API reports it.
      detailed(q) {
        const r = index.searchDetailed(q, options);
        return { ids: r.neighbors.map((n) => n.id), work: r.scored };
      },
      close() {
        index.close();
      },
    };
  },
};

const hnswlibNode = {
  name: 'hnswlib-node',
  async load() {
    return require('hnswlib-node');
  },
  async build(lib, meta, base, config, file) {
    const index = new lib.HierarchicalNSW(meta.metric === 'cosine' ? 'cosine' : 'l2', meta.dim);
    index.initIndex(meta.n, config.build.M, config.build.efConstruction, 100);
    // Its API takes number[] only; the conversion is part of building through it.
    for (let i = 0; i < meta.n; i++) index.addPoint(Array.from(base.subarray(i * meta.dim, (i + 1) * meta.dim)), i);
    index.writeIndexSync(file);
    return { threads: 1 };
  },
  open(lib, meta, file) {
    const index = new lib.HierarchicalNSW(meta.metric === 'cosine' ? 'cosine' : 'l2', meta.dim);
    index.readIndexSync(file);
    // Queries are handed over as the number[] its API takes, converted once outside the
    // timed loop (a favour to this peer: a caller holding Float32Arrays would pay for it).
    const arrays = new Map();
    return {
      setKnob(value) {
        index.setEf(value);
      },
      query(q) {
        let a = arrays.get(q);
        if (!a) arrays.set(q, (a = Array.from(q)));
        return index.searchKnn(a, K);
      },
      prepare(q) {
        if (!arrays.has(q)) arrays.set(q, Array.from(q));
      },
      ids(result) {
        return result.neighbors;
      },
      close() {},
    };
  },
};

const usearch = {
  name: 'usearch',
  async load() {
    return require('usearch');
  },
  async build(lib, meta, base, config, file) {
    const index = new lib.Index({
      dimensions: meta.dim,
      metric: meta.metric === 'cosine' ? 'cos' : 'l2sq',
      quantization: 'f32',
      connectivity: config.build.connectivity ?? 0, // 0: the library's default (16)
      expansion_add: config.build.expansionAdd ?? 0, // 0: default (128)
      expansion_search: 0,
      multi: false,
    });
    const keys = BigUint64Array.from({ length: meta.n }, (_, i) => BigInt(i));
    index.add(keys, base.subarray(0, meta.n * meta.dim), 0); // 0 threads: every core
    fs.rmSync(file, { force: true });
    index.save(file);
    return { threads: os.cpus().length };
  },
  // A read-only memory map of the saved file (view()), as a server process would use it.
  // expansion_search is fixed when an Index is made, so each knob value views the file anew.
  open(lib, meta, file) {
    const make = (ef) => {
      const index = new lib.Index({
        dimensions: meta.dim,
        metric: meta.metric === 'cosine' ? 'cos' : 'l2sq',
        quantization: 'f32',
        connectivity: 0,
        expansion_add: 0,
        expansion_search: ef,
        multi: false,
      });
      index.view(file);
      return index;
    };
    let index; // made by the first setKnob (or query), so a process views the file once
    return {
      setKnob(value) {
        index = make(value);
      },
      query(q) {
        index ??= make(0); // 0: the default expansion_search (64)
        return index.search(q, K, 1);
      },
      ids(result) {
        return Array.from(result.keys, Number);
      },
      close() {},
    };
  },
};

export const NODE_LIBRARIES = { 'arroy-ts': arroy, 'hnswlib-node': hnswlibNode, usearch };
