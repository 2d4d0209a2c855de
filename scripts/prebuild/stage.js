#!/usr/bin/env node
// stage.js DEST: copies the files a source build of the package needs
// (binding.gyp, package.json, native/..., the build scripts) into DEST, taking the list from
// `npm pack --dry-run`. The prebuilds are thus compiled from exactly the files
// the tarball ships for its source fallback: a file missing from the package
// breaks the prebuild too.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const dest = path.resolve(process.argv[2]);
const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
const wanted = pack.files.map((f) => f.path).filter((f) => f === 'binding.gyp' || f === 'package.json' || f.startsWith('native/') || f.startsWith('scripts/'));
for (const file of wanted) {
  fs.mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
  fs.copyFileSync(path.join(root, file), path.join(dest, file));
}
console.log(`staged ${wanted.length} files in ${dest}`);
