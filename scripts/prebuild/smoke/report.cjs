// Shared by smoke.cjs and smoke.mjs: builds an index of 500 vectors, checks
// that each of a few items finds itself first, and reports the loaded .node
// file (from the process's own list of shared objects), the SIMD kernels the
// addon chose, the CPU architecture and the glibc it ran on.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

async function report(via, Index) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-smoke-'));
  try {
    const index = Index.open(path.join(dir, 'smoke.arroy'), { dimensions: 16, distance: 'euclidean' });
    const vector = (i) => Float32Array.from({ length: 16 }, (_, j) => Math.sin(i * 7.1 + j * 1.3));
    for (let i = 0; i < 500; i++) index.add(i, vector(i));
    await index.build({ seed: 1 });
    for (const id of [0, 42, 499]) {
      const [hit] = index.search(vector(id), { k: 1, searchK: 500 });
      if (!hit || hit.id !== id) throw new Error(`search for item ${id} answered ${JSON.stringify(hit)}`);
    }
    index.close();
    const header = process.report.getReport().header;
    const loaded = process.report.getReport().sharedObjects.filter((f) => f.endsWith('.node'));
    // The binding is internal; its path inside the package names it past the exports map.
    const root = path.dirname(require.resolve('arroy-ts/package.json', { paths: [process.cwd()] }));
    const { binding } = require(path.join(root, 'dist', 'native.js'));
    console.log(JSON.stringify({ via, ok: true, arch: process.arch, node: process.version, glibc: header.glibcVersionRuntime, simd: binding.simd, loaded: loaded.map((f) => path.relative(root, f)) }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { report };
