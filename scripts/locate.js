// Answers build-system questions for binding.gyp and CMakeLists.txt, so both
// builds agree on where sources are:
//   node scripts/locate.js lmdb            -> directory of LMDB 0.9 sources with
//                                             native/patches/*.patch applied
//   node scripts/locate.js lmdb-stock      -> the same sources unpatched (bench/lmdb-patch.mjs)
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

// Applies a unified diff made against the pinned sources exactly: every hunk
// must match line for line where it says (no fuzz), so a patch that no longer
// fits the pinned LMDB fails the build instead of landing somewhere else.
function applyPatch(text, readSource) {
  const out = new Map();
  const chunks = text.split(/^--- /m).slice(1);
  for (const chunk of chunks) {
    const lines = chunk.split('\n');
    const name = lines[0].trim().replace(/^a\//, '').split(/\s/)[0];
    const source = readSource(name).split('\n');
    const result = [];
    let at = 0; // next unconsumed line of source
    for (let i = 2; i < lines.length; i++) {
      const head = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/.exec(lines[i]);
      if (!head) continue;
      const start = Number(head[1]) - 1;
      if (start < at) throw new Error(`${name}: hunks out of order at line ${start + 1}`);
      result.push(...source.slice(at, start));
      at = start;
      for (i++; i < lines.length && !lines[i].startsWith('@@'); i++) {
        const [mark, body] = [lines[i][0], lines[i].slice(1)];
        if (mark === '+') result.push(body);
        else if (mark === ' ' || mark === '-') {
          if (source[at] !== body) throw new Error(`${name}:${at + 1}: the patch does not fit the pinned LMDB sources`);
          if (mark === ' ') result.push(body);
          at++;
        } else if (mark !== '\\' && lines[i] !== '') throw new Error(`${name}: unexpected patch line ${JSON.stringify(lines[i])}`);
      }
      i--;
    }
    result.push(...source.slice(at));
    out.set(name, result.join('\n'));
  }
  return out;
}

// A copy of the sources with arroy-ts's patches applied, under .deps/ (never
// in the repository), redone when the sources or a patch change.
function patchedDir() {
  const stock = lmdbDir();
  const patchDir = path.join(root, 'native', 'patches');
  const patches = fs.readdirSync(patchDir).filter((f) => f.endsWith('.patch')).sort();
  const hash = crypto.createHash('sha256');
  for (const f of ['mdb.c', 'midl.c']) hash.update(fs.readFileSync(path.join(stock, f)));
  for (const p of patches) hash.update(fs.readFileSync(path.join(patchDir, p)));
  const stamp = hash.digest('hex');
  const dest = path.join(root, '.deps', 'lmdb-patched');
  const stampFile = path.join(dest, 'STAMP');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return dest;
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  for (const f of fs.readdirSync(stock)) {
    if (/\.(c|h)$/.test(f) || f === 'LICENSE' || f === 'COPYRIGHT') fs.copyFileSync(path.join(stock, f), path.join(dest, f));
  }
  for (const p of patches) {
    const files = applyPatch(fs.readFileSync(path.join(patchDir, p), 'utf8'), (name) => fs.readFileSync(path.join(dest, name), 'utf8'));
    for (const [name, text] of files) fs.writeFileSync(path.join(dest, name), text);
  }
  fs.writeFileSync(stampFile, stamp);
  return dest;
}

if (what === 'lmdb') {
  // ARROY_LMDB_STOCK=1: a build with LMDB unpatched, for bench/lmdb-patch.mjs only.
  process.stdout.write(path.relative(root, process.env.ARROY_LMDB_STOCK === '1' ? lmdbDir() : patchedDir()) || '.');
} else if (what === 'lmdb-stock') {
  process.stdout.write(path.relative(root, lmdbDir()) || '.');
} else if (what === 'sources' && layer) {
  const dir = path.join(root, 'native', layer);
  const files = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.cc')).sort();
  process.stdout.write(files.map((f) => path.posix.join('native', layer, f.split(path.sep).join('/'))).join(' '));
} else {
  console.error('usage: node scripts/locate.js lmdb | lmdb-stock | sources <layer>');
  process.exit(2);
}
