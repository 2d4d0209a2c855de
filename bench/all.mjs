#!/usr/bin/env node
// npm run bench: every section (recall/QPS against Annoy, filtered search,
// incremental builds, snapshots) in one run, written to bench/RESULTS.md. Each section
// also runs on its own (npm run bench:recall, bench:filtered,
// bench:incremental) and then only prints.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filteredSection } from './filtered.mjs';
import { incrementalSection } from './incremental.mjs';
import { provenance, readSection } from './lib/common.mjs';
import { CHECKSUM_HEADING } from './checksum/heading.mjs';
import { RECALL_PREAMBLE, recallSection } from './recall.mjs';
import { snapshotSection } from './snapshot.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const lines = ['# Benchmark results', '', ...provenance('npm run bench'), '', RECALL_PREAMBLE, ''];
lines.push(...(await recallSection()), ...(await filteredSection()), ...(await incrementalSection()), ...(await snapshotSection()));
// Sections measured by runs of their own are carried over.
const kept = readSection(path.join(here, 'RESULTS.md'), CHECKSUM_HEADING);
if (kept) lines.push('', kept);
fs.writeFileSync(path.join(here, 'RESULTS.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
