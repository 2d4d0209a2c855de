#!/usr/bin/env node
// Builds the addon into build/Release with node-gyp, offline: the Node headers
// come from the local Node installation (or npm's `nodedir` setting), never
// from the network. Incremental: only changed sources recompile.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const candidates = [process.env.npm_config_nodedir, path.resolve(process.execPath, '..', '..')].filter(Boolean);
const nodedir = candidates.find((dir) => fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h')));
if (!nodedir) {
  console.error('Node headers not found: set npm_config_nodedir to the prefix that holds include/node');
  process.exit(1);
}
// In an installed package node-gyp is no dependency: npm's own copy, which npm
// names in npm_config_node_gyp for every script it runs, builds the addon.
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  gyp = process.env.npm_config_node_gyp;
}
if (!gyp) {
  console.error('node-gyp not found: run this through npm (npm run build:native), which provides its own');
  process.exit(1);
}
// configure is cheap and picks up new source files; make then rebuilds only what changed.
const steps = ['configure', 'build'];
const extra = process.argv.slice(2);
const result = spawnSync(process.execPath, [gyp, ...steps, `--nodedir=${nodedir}`, '-j', 'max', ...extra], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
