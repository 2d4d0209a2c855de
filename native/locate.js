// Answers build-system questions for binding.gyp (and CMakeLists.txt), so both
// builds agree on where sources are:
//   node native/locate.js lmdb            -> directory of stock LMDB 0.9 sources (the pinned `lmdb` package's data-v1 tree)
//   node native/locate.js sources <layer> -> every .cc file of native/<layer>, relative to the repo
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const [what, layer] = process.argv.slice(2);

function lmdbDir() {
  // The `lmdb` package does not export its package.json, so find its folder
  // the way Node would: the nearest node_modules/lmdb above the repo.
  for (let dir = root; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'lmdb', 'dependencies', 'lmdb-data-v1', 'libraries', 'liblmdb');
    if (fs.existsSync(path.join(candidate, 'mdb.c'))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error('LMDB sources not found: run `npm ci` first (they come from the pinned lmdb package)');
}

if (what === 'lmdb') {
  process.stdout.write(path.relative(root, lmdbDir()) || '.');
} else if (what === 'sources' && layer) {
  const dir = path.join(root, 'native', layer);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cc')).sort();
  process.stdout.write(files.map((f) => `native/${layer}/${f}`).join(' '));
} else {
  console.error('usage: node native/locate.js lmdb | sources <layer>');
  process.exit(2);
}
