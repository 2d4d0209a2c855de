// What a new user does first, through require(): build and search a small
// index. Prints one JSON line saying which binary served it and on what.
'use strict';
const { Index } = require('arroy-ts');
const { report } = require('./report.cjs');

report('cjs', Index).catch((e) => {
  console.error(e);
  process.exit(1);
});
