#!/usr/bin/env node
// Run by prepack: refuses to pack a tarball that lacks a Linux binary, since
// users of such a package would need a compiler (the whole point of issue 10).
// ARROY_PACK_WITHOUT_PREBUILDS=1 packs anyway (a source-only tarball).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const REQUIRED = ['prebuilds/linux-x64/arroy-ts.glibc.node', 'prebuilds/linux-arm64/arroy-ts.glibc.node'];
const missing = REQUIRED.filter((file) => !fs.existsSync(path.join(root, file)));
if (missing.length && process.env.ARROY_PACK_WITHOUT_PREBUILDS !== '1') {
  console.error(`npm pack: missing ${missing.join(', ')}; run \`npm run build:prebuilds\` first (or set ARROY_PACK_WITHOUT_PREBUILDS=1 for a source-only tarball)`);
  process.exit(1);
}
