// One case of the damaged-file corpus (test/damage/corpus.mjs), alone in its
// own process so that a signal, a hang or runaway memory is seen by the
// parent as what it is. Usage: node child.mjs <case.json>
//   case: { kind, seed, base, other, work, expected }
// Prints one JSON line: { outcome, detail, maxRss } where outcome is
//   'correct'  every call succeeded and every answer equals the undamaged file's
//   'typed'    some call threw an ArroyError (the rest succeeded or threw one too)
//   'changed'  every call succeeded but some answer differs (damage inside a stored
//              vector that nothing detects: checksums are issue 11 item 5)
//   'untyped'  some call threw something that is not an ArroyError
//   'skipped'  the case needs something this machine lacks (a tmpfs mount)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { random } from '../helpers/random.mjs';
import { WHERE, attributesOf } from './corpus.mjs';

const require = createRequire(import.meta.url);
const { Index, ArroyError } = require('../../dist/index.js');

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const expected = JSON.parse(fs.readFileSync(spec.expected, 'utf8'));
const rand = random(spec.seed * 7919 + kindNumber(spec.kind));
const PAGE = 4096;

function kindNumber(kind) {
  let h = 0;
  for (const c of kind) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}

const pick = (n) => Math.floor(rand() * n);

// ---------------------------------------------------------------- the calls
const state = { typed: [], untyped: [], changed: [] };

function call(what, body) {
  try {
    return { ok: true, value: body() };
  } catch (error) {
    record(what, error);
    return { ok: false };
  }
}

async function callAsync(what, body) {
  try {
    return { ok: true, value: await body() };
  } catch (error) {
    record(what, error);
    return { ok: false };
  }
}

function record(what, error) {
  if (!(error instanceof ArroyError)) return state.untyped.push(`${what}: ${error && error.stack ? error.stack : error}`);
  // A full disk must say so, not "Input/output error".
  if (spec.kind.startsWith('full-') && error.code === 'ERR_ARROY_STORAGE' && !/no space left/i.test(error.message)) {
    return state.untyped.push(`${what}: a full disk reported as ${error.message}`);
  }
  state.typed.push(`${what}: ${error.code} ${error.message.slice(0, 100)}`);
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// The reads a user makes, each compared with the undamaged file's answer
// (`answers` lists acceptable answer sets: an in-place rewrite may show the
// new file's content, which is then the correct answer).
function reads(index, answers = [expected.base]) {
  const got = {};
  const size = call('size', () => index.size);
  if (size.ok) got.size = size.value;
  const ids = call('ids', () => [...index.ids()]);
  if (ids.ok) got.ids = ids.value;
  got.search = [];
  for (const q of expected.queries) {
    const hits = call('search', () => index.search(q, { k: 10 }).map((h) => h.id));
    if (hits.ok) got.search.push(hits.value);
  }
  got.where = [];
  for (const q of expected.queries) {
    const hits = call('search where', () => index.search(q, { k: 10, where: WHERE }).map((h) => h.id));
    if (hits.ok) got.where.push(hits.value);
  }
  got.attributes = [];
  for (const id of expected.probe) {
    const a = call('getAttributes', () => index.getAttributes(id));
    if (a.ok) got.attributes.push(a.value ?? null);
  }
  got.get = [];
  for (const id of expected.probe) {
    const v = call('get', () => index.get(id));
    if (v.ok) got.get.push(v.value ? Array.from(v.value.slice(0, 4)) : null);
  }
  call('check', () => index.check());
  const complete =
    size.ok &&
    ids.ok &&
    got.search.length === expected.queries.length &&
    got.where.length === expected.queries.length &&
    got.attributes.length === expected.probe.length &&
    got.get.length === expected.probe.length;
  const seen = { size: got.size, ids: got.ids, search: got.search, where: got.where, attributes: got.attributes, get: got.get };
  if (complete && !answers.some((a) => same(a, seen))) {
    state.changed.push('reads');
  }
}

async function writes(index) {
  for (let i = 0; i < 5; i++) call('delete', () => index.delete(expected.probe[i % expected.probe.length]));
  for (let i = 0; i < 20; i++) {
    const v = Array.from({ length: expected.dimensions }, () => rand() * 2 - 1);
    call('add', () => index.add(100_000 + i, v, { attributes: attributesOf(i) }));
  }
  await callAsync('build', () => index.build());
}

// ---------------------------------------------------------------- damage
function pages(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = { tree: [], overflow: [] };
  for (let p = 2; p < Math.floor(bytes.length / PAGE); p++) {
    const at = p * PAGE;
    if (Number(view.getBigUint64(at, true)) !== p) continue;
    const flags = view.getUint16(at + 10, true);
    if (flags & 0x04) out.overflow.push(p);
    else if (flags & 0x03) out.tree.push({ p, lower: view.getUint16(at + 12, true) });
  }
  return out;
}

function flipAt(bytes, at) {
  bytes[at] ^= 1 + pick(255);
}

function damage(file) {
  const bytes = fs.readFileSync(file);
  const kind = spec.kind;
  if (kind.startsWith('flip')) {
    const n = Number(kind.slice(4));
    for (let i = 0; i < n; i++) flipAt(bytes, pick(bytes.length));
  } else if (kind === 'tree-header') {
    // The fixed 16-byte header and the node-offset array after it (up to
    // `lower`): what LMDB follows to reach a node.
    const { tree } = pages(bytes);
    const t = tree[pick(tree.length)];
    flipAt(bytes, t.p * PAGE + pick(Math.max(16, Math.min(t.lower, PAGE))));
  } else if (kind === 'overflow-header') {
    const { overflow } = pages(bytes);
    if (overflow.length === 0) throw new Error('the base file has no overflow pages');
    flipAt(bytes, overflow[pick(overflow.length)] * PAGE + pick(16));
  }
  fs.writeFileSync(file, bytes);
}

// ---------------------------------------------------------------- tmpfs
function mountTmpfs(dir, bytes) {
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir) {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {}
}

// Fills the file system holding dir, leaving about `leave` bytes free.
function fill(dir, leave) {
  const { bavail, bsize } = fs.statfsSync(dir);
  const room = bavail * bsize - leave;
  if (room <= 0) return;
  const fd = fs.openSync(path.join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(65536, 1);
  let left = room;
  try {
    while (left > 0) left -= fs.writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  } catch {}
  fs.closeSync(fd);
}

// ---------------------------------------------------------------- cases
async function run() {
  const live = path.join(spec.work, 'live.arroy');
  const lock = `${live}-lock`;
  const kind = spec.kind;
  if (kind === 'none' || kind.startsWith('flip') || kind.endsWith('-header')) {
    fs.copyFileSync(spec.base, live);
    damage(live);
    const opened = call('open', () => Index.open(live));
    if (!opened.ok) return;
    reads(opened.value);
    await writes(opened.value);
    call('close', () => opened.value.close());
  } else if (kind === 'truncate' || kind === 'rewrite') {
    fs.copyFileSync(spec.base, live);
    const opened = call('open', () => Index.open(live, { readOnly: true }));
    if (!opened.ok) return state.untyped.push('the undamaged file did not open');
    const index = opened.value;
    index.search(expected.queries[0], { k: 10 });
    const size = fs.statSync(live).size;
    let answers = [expected.base];
    if (kind === 'truncate') {
      fs.truncateSync(live, Math.floor((size * rand()) / 512) * 512);
    } else {
      // `cp other live`: the same inode, truncated and written again.
      fs.writeFileSync(live, fs.readFileSync(spec.other));
      answers = [expected.base, expected.other];
    }
    reads(index, answers);
    // Later calls fail too: the damage is remembered, not met again by luck.
    const before = state.typed.length;
    reads(index, answers);
    // size, ids, a plain and a where search per query, getAttributes and get per probe, check
    const calls = 2 + 2 * expected.queries.length + 2 * expected.probe.length + 1;
    if (state.typed.length - before !== calls) state.untyped.push(`only ${state.typed.length - before} of ${calls} later calls failed`);
    call('close', () => index.close());
  } else if (kind === 'full-open' || kind === 'full-build') {
    const mnt = path.join(spec.work, 'mnt');
    const baseBytes = fs.statSync(spec.base).size;
    const total = baseBytes + (kind === 'full-open' ? 256 * 1024 : 64 * 1024 + pick(2 * 1024 * 1024));
    if (!mountTmpfs(mnt, total)) return 'skipped';
    try {
      const file = path.join(mnt, 'live.arroy');
      fs.copyFileSync(spec.base, file);
      if (kind === 'full-open') {
        // The lock file is gone (a fresh container, a cleaned /tmp) and the
        // disk is full: opening must create it.
        fs.rmSync(`${file}-lock`, { force: true });
        fill(mnt, pick(8) * 4096);
        const readOnly = spec.seed % 2 === 0;
        const opened = call('open', () => Index.open(file, { readOnly }));
        if (!opened.ok) {
          if (fs.existsSync(`${file}-lock`)) state.untyped.push('a failed open left a lock file behind');
          return;
        }
        reads(opened.value);
        call('close', () => opened.value.close());
      } else {
        const index = Index.open(file);
        const before = index.size;
        const added = 150 + pick(300);
        for (let i = 0; i < added; i++) {
          index.add(200_000 + i, Array.from({ length: expected.dimensions }, () => rand() * 2 - 1));
        }
        const built = await callAsync('build', () => index.build());
        const size = call('size', () => index.size);
        call('check', () => index.check());
        if (size.ok && size.value !== before && size.value !== before + added) state.changed.push(`size ${size.value}`);
        if (built.ok && size.ok && size.value !== before + added) state.changed.push('a build that succeeded lost items');
        call('close', () => index.close());
        // Nothing torn: a fresh open of the file reads a whole commit.
        const again = call('reopen', () => Index.open(file, { readOnly: true }));
        if (again.ok) {
          call('check', () => again.value.check());
          const n = call('size', () => again.value.size);
          if (n.ok && n.value !== before && n.value !== before + added) state.changed.push(`reopened size ${n.value}`);
          again.value.close();
        }
      }
    } finally {
      unmount(mnt);
    }
  } else {
    throw new Error(`unknown kind ${kind}`);
  }
}

const skipped = (await run().catch((error) => state.untyped.push(`harness: ${error.stack}`))) === 'skipped';
const outcome = skipped
  ? 'skipped'
  : state.untyped.length
    ? 'untyped'
    : state.typed.length
      ? 'typed'
      : state.changed.length
        ? 'changed'
        : 'correct';
const detail = [...state.untyped, ...state.typed, ...state.changed].slice(0, 3).join(' | ').slice(0, 600);
fs.writeSync(1, JSON.stringify({ outcome, detail, maxRss: process.resourceUsage().maxRSS * 1024 }) + '\n');
