// What bench:peers measures: every library with the configurations it is usually run at, and the
// knob each sweeps. Adding a configuration (say arroy-ts swept by its `recall` search option:
// { knob: 'recall', knobs: [0.9, 0.95, 0.99] }) is one more entry here; nothing else changes.
//
// kind 'node': measured through its npm package (bench/peers/node-adapters.mjs) in child processes.
// kind 'cpp':  measured through its C++ API (bench/peers/native/peer_bench.cc).

const EF = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024];
// arroy-ts's beam may be narrower than k (it still returns the k closest it scored); hnswlib
// searches with max(ef, k), so its sweep starts at k.
const ARROY_EF = [3, 4, 5, 7, ...EF];

const SWEEPS = {
  'glove-100-angular': {
    arroy: [500, 1000, 2000, 4000, 6000, 8000, 12000, 16000, 24000, 32000, 48000, 64000, 96000],
    annoy: [1000, 2000, 4000, 8000, 15000, 25000, 40000, 60000, 100000, 150000, 250000, 400000],
  },
  'fashion-mnist-784-euclidean': {
    arroy: [30, 50, 100, 150, 200, 300, 500, 800, 1200, 2000, 3000, 5000, 8000],
    annoy: [20, 50, 100, 200, 400, 700, 1000, 2000, 3000, 5000, 8000, 12000, 20000],
  },
};

// Stop a sweep once recall@10 reaches this: enough to interpolate at 0.99 and draw the curve's end.
export const STOP_RECALL = 0.997;

export function libraryConfigs(dataset, cores) {
  const sweep = SWEEPS[dataset];
  if (!sweep) throw new Error(`no sweep defined for ${dataset}`);
  return [
    // arroy-ts: its default build (a neighbour graph seeded by 2 trees) swept by ef, and the
    // forest alone (graph: false, default trees) swept by searchK for reference.
    { library: 'arroy-ts', kind: 'node', id: 'arroy-graph', label: 'arroy-ts, default (graph)', config: { build: {}, knob: 'ef' }, knobs: ARROY_EF },
    { library: 'arroy-ts', kind: 'node', id: 'arroy-forest', label: 'arroy-ts, forest only', config: { build: { graph: false }, knob: 'searchK' }, knobs: sweep.arroy },
    // Annoy C++: the best of 10 / 50 / 100 trees at each recall.
    { library: 'Annoy C++', kind: 'cpp', lib: 'annoy', id: 'annoy-10', label: 'Annoy C++, 10 trees', build: ['10'], knob: 'search_k', knobs: sweep.annoy },
    { library: 'Annoy C++', kind: 'cpp', lib: 'annoy', id: 'annoy-50', label: 'Annoy C++, 50 trees', build: ['50'], knob: 'search_k', knobs: sweep.annoy },
    { library: 'Annoy C++', kind: 'cpp', lib: 'annoy', id: 'annoy-100', label: 'Annoy C++, 100 trees', build: ['100'], knob: 'search_k', knobs: sweep.annoy },
    // hnswlib C++ (M 16, efConstruction 200), built on every core like its Python binding.
    { library: 'hnswlib C++', kind: 'cpp', lib: 'hnswlib', id: 'hnswlib', label: 'hnswlib C++, M 16, efC 200', build: ['16', '200', String(cores)], knob: 'ef', knobs: EF },
    // hnswlib-node: the same parameters; its addPoint is one item per call, one thread.
    { library: 'hnswlib-node', kind: 'node', id: 'hnswlib-node', label: 'hnswlib-node, M 16, efC 200', config: { build: { M: 16, efConstruction: 200 }, knob: 'ef' }, knobs: EF },
    // usearch: its defaults (connectivity 16, expansion_add 128), searched through view().
    { library: 'usearch', kind: 'node', id: 'usearch', label: 'usearch, defaults, view()', config: { build: {}, knob: 'expansion_search' }, knobs: EF },
  ];
}

export const LIBRARIES = ['arroy-ts', 'Annoy C++', 'hnswlib C++', 'hnswlib-node', 'usearch'];
export const COLORS = { 'arroy-ts': '#d62728', 'Annoy C++': '#1f77b4', 'hnswlib C++': '#2ca02c', 'hnswlib-node': '#9467bd', usearch: '#ff7f0e' };
