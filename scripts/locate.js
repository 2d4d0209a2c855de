// Answers build-system questions for binding.gyp and CMakeLists.txt, so both
// builds agree on where sources are:
//   node scripts/locate.js lmdb            -> directory of stock LMDB 0.9 sources
//   node scripts/locate.js sources <layer> -> every .cc file under native/<layer> (subfolders
//                                             included), relative to the repo, sorted
//
// LMDB's C sources come from the pinned `lmdb` npm package, whose
// dependencies/lmdb-data-v1 tree is stock LMDB 0.9.29 (the file format
// mdb_stat reads). Only that tree is needed, so the package tarball is fetched
// with `npm pack` (checked against its pinned integrity) and unpacked under
// .deps/, instead of installing the package and its platform-specific
// dependencies.
'use strict';
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const [what, layer] = process.argv.slice(2);

const LMDB_PACKAGE = { name: 'lmdb', version: '3.5.6', integrity: 'sha512-j3uE8ReKNyUWDjhfEFSJqE/1DLtfTR5Z8yFzVHvBjAk37wNg7HdScjcv8ttPHRvrdgPQMPWxFFI0SsdBzI5lBw==' };
const LMDB_TREE = 'package/dependencies/lmdb-data-v1/libraries/liblmdb';

function lmdbDir() {
  // A packed tarball carries the sources in native/lmdb (copied there at pack
  // time by scripts/copy-lmdb-sources.js), so building from it needs no network.
  const shipped = path.join(root, 'native', 'lmdb');
  if (fs.existsSync(path.join(shipped, 'mdb.c'))) return shipped;
  const deps = path.join(root, '.deps', `${LMDB_PACKAGE.name}-${LMDB_PACKAGE.version}`);
  const sources = path.join(deps, LMDB_TREE);
  if (fs.existsSync(path.join(sources, 'mdb.c'))) return sources;
  fs.mkdirSync(deps, { recursive: true });
  const spec = `${LMDB_PACKAGE.name}@${LMDB_PACKAGE.version}`;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [packed] = JSON.parse(execFileSync(npm, ['pack', spec, '--json', '--pack-destination', deps], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const tarball = path.join(deps, packed.filename);
  const digest = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  if (digest !== LMDB_PACKAGE.integrity) throw new Error(`${spec}: tarball integrity ${digest} does not match the pinned ${LMDB_PACKAGE.integrity}`);
  execFileSync('tar', ['-xzf', tarball, '-C', deps, LMDB_TREE]);
  fs.rmSync(tarball);
  return sources;
}

if (what === 'lmdb') {
  process.stdout.write(path.relative(root, lmdbDir()) || '.');
} else if (what === 'sources' && layer) {
  const dir = path.join(root, 'native', layer);
  const files = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.cc')).sort();
  process.stdout.write(files.map((f) => path.posix.join('native', layer, f.split(path.sep).join('/'))).join(' '));
} else {
  console.error('usage: node scripts/locate.js lmdb | sources <layer>');
  process.exit(2);
}
