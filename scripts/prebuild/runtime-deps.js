#!/usr/bin/env node
// Prints the package's runtime dependency closure as `name@version` words,
// read from package-lock.json: every installed package that is not dev-only.
// scripts/prebuild/test.sh fills its private offline npm cache with exactly
// these, so an install of the tarball that needs anything more fails.
'use strict';
const path = require('node:path');
const lock = require(path.join(__dirname, '..', '..', 'package-lock.json'));
const specs = new Set();
for (const [where, entry] of Object.entries(lock.packages)) {
  if (where === '' || entry.dev || entry.devOptional || entry.link) continue;
  const name = entry.name ?? where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
  specs.add(`${name}@${entry.version}`);
}
if (specs.size === 0) throw new Error('package-lock.json lists no runtime packages');
process.stdout.write([...specs].join(' ') + '\n');
