#!/usr/bin/env node
// npm run bench: every section (recall/QPS against Annoy, filtered search,
// incremental builds, async search) in one run, written to bench/RESULTS.md. Each section
// also runs on its own (npm run bench:recall, bench:filtered,
// bench:incremental, bench:async) and then only prints.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncSection } from './async.mjs';
import { filteredSection } from './filtered.mjs';
import { incrementalSection } from './incremental.mjs';
import { provenance } from './lib/common.mjs';
import { RECALL_PREAMBLE, recallSection } from './recall.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const lines = ['# Benchmark results', '', ...provenance('npm run bench'), '', RECALL_PREAMBLE, ''];
lines.push(...(await recallSection()), ...(await filteredSection()), ...(await incrementalSection()), ...(await asyncSection()));
fs.writeFileSync(path.join(here, 'RESULTS.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
