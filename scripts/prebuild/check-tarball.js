#!/usr/bin/env node
// check-tarball.js TGZ: the packed tarball needs nothing else. It holds both
// Linux binaries, dist/, the LICENSE and every file a source build needs
// (LMDB's sources included), and none of the tests, fuzzers or benchmarks;
// each source map's sources ship with it; there is no install script; it is
// 5 MB at most. Prints a summary; exits 1 naming every failed check.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const tgz = path.resolve(process.argv[2]);
const LIMIT = 5 * 1024 * 1024;
const listing = execFileSync('tar', ['-tzvf', tgz], { encoding: 'utf8' }).trim().split('\n');
const files = new Map(); // path inside the package -> size
for (const line of listing) {
  const f = line.trim().split(/\s+/);
  files.set(f.slice(5).join(' ').replace(/^package\//, ''), Number(f[2]));
}
const read = (file) => execFileSync('tar', ['-xzOf', tgz, `package/${file}`], { encoding: 'utf8' });
const failures = [];
const check = (ok, what) => ok || failures.push(what);

for (const file of [
  'package.json', 'LICENSE', 'binding.gyp', 'scripts/locate.js', 'scripts/build-native.js',
  'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts',
  'prebuilds/linux-x64/arroy-ts.glibc.node', 'prebuilds/linux-arm64/arroy-ts.glibc.node',
  'native/lmdb/mdb.c', 'native/lmdb/midl.c', 'native/lmdb/lmdb.h', 'native/lmdb/midl.h', 'native/lmdb/LICENSE',
  'native/patches/lmdb-robust.patch',
]) check(files.has(file), `missing ${file}`);
check([...files.keys()].some((f) => /^native\/.+\.cc$/.test(f)), 'no native sources (.cc)');
for (const file of files.keys()) {
  check(!/^(native\/(tests|fuzz|bench)|test|bench|examples|\.deps|\.cache|build)\//.test(file), `ships ${file}`);
}
for (const map of [...files.keys()].filter((f) => f.endsWith('.map'))) {
  for (const source of JSON.parse(read(map)).sources) {
    const shipped = path.posix.normalize(path.posix.join(path.posix.dirname(map), source));
    check(files.has(shipped), `${map} points at ${shipped}, which does not ship`);
  }
}
const pkg = JSON.parse(read('package.json'));
for (const script of ['preinstall', 'install', 'postinstall']) check(!pkg.scripts?.[script], `has an ${script} script`);
check(pkg.gypfile === false, 'gypfile is not false (npm would run node-gyp at install)');
check(Boolean(pkg.dependencies?.['node-addon-api']), 'node-addon-api is not a dependency (the source fallback needs it)');
const size = fs.statSync(tgz).size;
check(size <= LIMIT, `tarball is ${size} bytes, over ${LIMIT}`);

const unpacked = [...files.values()].reduce((a, b) => a + b, 0);
const byTop = {};
for (const [file, bytes] of files) {
  const top = file.split('/').length > 1 ? file.split('/')[0] + '/' : file;
  byTop[top] = (byTop[top] || 0) + bytes;
}
console.log(`${path.basename(tgz)}: ${(size / 1024).toFixed(0)} KiB packed, ${(unpacked / 1024).toFixed(0)} KiB unpacked, ${files.size} files`);
console.log('  ' + Object.entries(byTop).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KiB`).join(', '));
if (failures.length) {
  console.error(failures.map((f) => `tarball: ${f}`).join('\n'));
  process.exit(1);
}
