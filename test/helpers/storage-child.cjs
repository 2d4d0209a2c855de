// A child process for the storage tests: it opens index files with the built
// package (dist/), so that a crash ends this process with a signal instead of
// taking the test runner down. Usage:
//   node storage-child.cjs exercise <cases.json>
//     cases: [{ path, name?, readOnly, query: number[], ids: number[] }]
//     prints one JSON line per case, as soon as the case is done:
//     { opened, ok, codes: string[], unexpected: string[] }
//   node storage-child.cjs search <path> <queries.json>
//     opens readOnly, prints { ids: number[][] } of k=5 searches
//   node storage-child.cjs hold <path>
//     opens readOnly, searches once, prints "ready" and waits to be killed
//   node storage-child.cjs open <path> <options.json>
//     prints { ok: true } or { code } for Index.open(path, options)
'use strict';
const fs = require('node:fs');
const { Index, ArroyError } = require('../../dist/index.js');

function say(value) {
  // Synchronous, so that nothing reported is lost if the process dies next.
  fs.writeSync(1, (typeof value === 'string' ? value : JSON.stringify(value)) + '\n');
}

function attempt(report, body) {
  try {
    body();
    report.ok++;
  } catch (error) {
    if (error instanceof ArroyError) report.codes.push(error.code);
    else report.unexpected.push(String(error && error.stack ? error.stack : error));
  }
}

const [command, ...args] = process.argv.slice(2);

if (command === 'exercise') {
  const cases = JSON.parse(fs.readFileSync(args[0], 'utf8'));
  for (const c of cases) {
    const report = { opened: 0, ok: 0, codes: [], unexpected: [] };
    let index;
    attempt(report, () => {
      index = Index.open(c.path, { readOnly: c.readOnly, ...(c.name ? { name: c.name } : {}) });
      report.opened++;
    });
    if (index) {
      attempt(report, () => index.size);
      attempt(report, () => index.search(c.query, { k: 10 }));
      attempt(report, () => index.search(c.query, { k: 50, searchK: 100000 }));
      for (const id of c.ids) {
        attempt(report, () => index.get(id));
        attempt(report, () => index.searchById(id, { k: 5 }));
      }
      attempt(report, () => index.check());
      attempt(report, () => index.close());
    }
    say(report);
  }
} else if (command === 'search') {
  const queries = JSON.parse(fs.readFileSync(args[1], 'utf8'));
  const index = Index.open(args[0], { readOnly: true });
  say({ ids: queries.map((q) => index.search(q, { k: 5 }).map((hit) => hit.id)) });
  index.close();
} else if (command === 'hold') {
  const index = Index.open(args[0], { readOnly: true });
  index.search(new Array(index.dimensions).fill(0.5), { k: 3 });
  say('ready');
  setInterval(() => index.size, 1000);
} else if (command === 'open') {
  try {
    Index.open(args[0], JSON.parse(args[1])).close();
    say({ ok: true });
  } catch (error) {
    say({ code: error instanceof ArroyError ? error.code : `not an ArroyError: ${error}` });
  }
} else {
  say({ error: `unknown command ${command}` });
  process.exit(2);
}
