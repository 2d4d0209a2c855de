// What every benchmark shares: where it ran, timing a query loop, reading a
// QPS off a recall sweep, formatting, and the temporary index files.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Index } from '../../dist/index.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** True when `moduleUrl` is the script node was started with (a section run on its own). */
export const isMain = (moduleUrl) => process.argv[1] !== undefined && moduleUrl === pathToFileURL(path.resolve(process.argv[1])).href;

export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, SIMD ${Index.simd}`;
}

export function commit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: here, encoding: 'utf8' }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

/** The lines that head a results file: the command, the machine, the commit and when. */
export function provenance(command) {
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  return [`Command: \`${command}\`  `, `Machine: ${machine()}  `, `Commit: ${commit()}, ${when} UTC`];
}

// Best of several passes over all queries: a shared machine's noise only
// ever slows a pass down.
export const PASSES = 3;

/** Runs search(query) over every query PASSES times; the results of the last pass and the best pass's QPS. */
export function timeQueries(ds, search, passes = PASSES) {
  let best = Infinity;
  let results;
  for (let pass = 0; pass < passes; pass++) {
    const out = [];
    const t = performance.now();
    for (let q = 0; q < ds.queryCount; q++) out.push(search(ds.row('queries', q)));
    best = Math.min(best, performance.now() - t);
    results = out;
  }
  return { results, qps: ds.queryCount / (best / 1000) };
}

/**
 * QPS at a recall level on a sweep: the best of (a) interpolation between two
 * consecutive sweep points around the level (linear in recall, logarithmic in
 * QPS) and (b) any point at or above it. Undefined when the sweep never
 * reaches the level.
 */
export function qpsAt(points, level) {
  let best;
  const better = (q) => {
    if (best === undefined || q > best) best = q;
  };
  for (const p of points) if (p.recall >= level) better(p.qps);
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    const [lo, hi] = a.recall <= b.recall ? [a, b] : [b, a];
    if (lo.recall < level && hi.recall >= level) {
      const f = (level - lo.recall) / (hi.recall - lo.recall);
      better(Math.exp(Math.log(lo.qps) + f * (Math.log(hi.qps) - Math.log(lo.qps))));
    }
  }
  return best;
}

export const fmt = (x, digits = 0) => (x === undefined ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** A fresh index file in the temporary directory, and how to remove it with its lock file. */
export function tempIndexFile(label) {
  const file = path.join(os.tmpdir(), `arroy-bench-${label}-${process.pid}-${Date.now()}.arroy`);
  return { file, remove: () => [file, `${file}-lock`].forEach((f) => fs.rmSync(f, { force: true })) };
}

/** Opens a fresh index holding items [0, count) of the data set's base vectors and builds it. */
export async function buildIndexOf(ds, label, buildOptions = {}, count = ds.baseCount) {
  const temp = tempIndexFile(label);
  const index = Index.open(temp.file, { dimensions: ds.dim, distance: ds.distance });
  for (let i = 0; i < count; i++) index.add(i, ds.row('base', i));
  const build = await index.build({ seed: 42, ...buildOptions });
  return {
    index,
    build,
    file: temp.file,
    bytes: fs.statSync(temp.file).size,
    close: () => {
      index.close();
      temp.remove();
    },
  };
}

/**
 * Puts a section (lines, the first its "## " heading) into a results file in
 * place of the section with the same heading, or at the end. Sections that
 * need a run of their own (npm run bench:checksum) live in RESULTS.md this way.
 */
export function writeSection(file, lines) {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const [start, end] = sectionBounds(text, lines[0]);
  const section = `${lines.join('\n')}\n`;
  const out = start < 0 ? `${text.replace(/\n*$/, '\n\n')}${section}` : `${text.slice(0, start)}${section}${end < text.length ? '\n' : ''}${text.slice(end)}`;
  fs.writeFileSync(file, out);
}

/** The section of `text` under `heading`, with its heading (empty when absent). */
export function readSection(file, heading) {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const [start, end] = sectionBounds(text, heading);
  return start < 0 ? '' : text.slice(start, end).trimEnd();
}

function sectionBounds(text, heading) {
  const start = text.startsWith(`${heading}\n`) ? 0 : text.indexOf(`\n${heading}\n`) + 1 || -1;
  if (start < 0) return [-1, -1];
  const next = text.indexOf('\n## ', start + heading.length);
  return [start, next < 0 ? text.length : next + 1];
}
