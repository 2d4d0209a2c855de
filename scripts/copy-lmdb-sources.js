#!/usr/bin/env node
// Copies the LMDB C sources a build needs into native/lmdb/ (git-ignored), so
// the packed tarball can build from source with no network. Run at pack time
// (prepack) and before the prebuilds are made. The sources come from where
// scripts/locate.js puts them: the pinned `lmdb` package, integrity-checked.
// Only the library itself and its license files are copied, not LMDB's tools
// and tests.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dest = path.join(root, 'native', 'lmdb');
const FILES = ['mdb.c', 'midl.c', 'lmdb.h', 'midl.h', 'LICENSE', 'COPYRIGHT'];

// locate.js answers native/lmdb once it holds sources; clear it first so the
// answer is the pinned package's tree, and a stale copy is never kept.
fs.rmSync(dest, { recursive: true, force: true });
const from = path.join(root, execFileSync(process.execPath, [path.join(root, 'scripts', 'locate.js'), 'lmdb-stock'], { cwd: root, encoding: 'utf8' }));
fs.mkdirSync(dest, { recursive: true });
for (const file of FILES) fs.copyFileSync(path.join(from, file), path.join(dest, file));
fs.writeFileSync(
  path.join(dest, 'README.md'),
  `LMDB 0.9 sources (data format v1), copied at pack time from the ${path.relative(root, from)} tree of the\n` +
    'pinned `lmdb` npm package by scripts/copy-lmdb-sources.js. Not part of the repository. License: LICENSE (OpenLDAP).\n',
);
console.log(`LMDB sources: ${FILES.length} files copied to ${path.relative(root, dest)}`);
