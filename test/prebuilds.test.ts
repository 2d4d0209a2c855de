// Gates for the shipped Linux binaries (prebuilds/, made by npm run
// build:prebuilds): each must load on Lambda's Amazon Linux 2 (glibc 2.26) and
// 2023, with no C++ runtime of the host involved, and expose nothing but the
// N-API entry points. Read with readelf, which reads any ELF architecture.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const TARGETS = [
  { dir: 'linux-x64', machine: 'Advanced Micro Devices X86-64' },
  { dir: 'linux-arm64', machine: 'AArch64' },
];
const BINARY = 'arroy-ts.glibc.node';
const present = fs.existsSync(path.join(root, 'prebuilds'));
const NAPI_EXPORTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];
// Shared libraries every Linux process has: no libstdc++, no libgcc_s.
const ALLOWED_NEEDED = new Set(['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1']);

const readelf = (file: string, ...args: string[]) => execFileSync('readelf', ['-W', ...args, file], { encoding: 'utf8' });
const versionTags = (file: string, prefix: string) =>
  [...new Set(readelf(file, '-V', '--dyn-syms').match(new RegExp(`\\b${prefix}_[0-9][0-9.]*`, 'g')) ?? [])];
const numeric = (tag: string) => tag.replace(/^[A-Z]+_/, '').split('.').map(Number);
function newest(tags: string[]): string {
  return [...tags].sort((a, b) => {
    const [x, y] = [numeric(a), numeric(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  }).at(-1)!;
}
const notNewerThan = (tag: string, limit: string) => newest([tag, limit]) === limit;

describe.skipIf(!present)('prebuilt binaries (prebuilds/)', () => {
  describe.each(TARGETS)('$dir', ({ dir, machine }) => {
    const file = path.join(root, 'prebuilds', dir, BINARY);

    it(`is ${BINARY}, built for ${machine}`, () => {
      expect(fs.readdirSync(path.join(root, 'prebuilds', dir))).toEqual([BINARY]);
      expect(readelf(file, '-h')).toContain(`Machine:                           ${machine}`);
    });

    it('needs GLIBC 2.26 at most (Amazon Linux 2), and meets the 2.17 floor', () => {
      const newestGlibc = newest(versionTags(file, 'GLIBC'));
      console.log(`${dir}: ${newestGlibc}, ${fs.statSync(file).size} bytes`);
      expect(notNewerThan(newestGlibc, 'GLIBC_2.26'), newestGlibc).toBe(true);
      // The floor scripts/prebuild/glibc-floor.c keeps: a symbol above it means new code reached a newer glibc API.
      expect(notNewerThan(newestGlibc, 'GLIBC_2.17'), newestGlibc).toBe(true);
    });

    it('needs no GLIBCXX_ or CXXABI_ symbol and no libstdc++ or libgcc_s', () => {
      expect(versionTags(file, 'GLIBCXX')).toEqual([]);
      expect(versionTags(file, 'CXXABI')).toEqual([]);
      const needed = [...readelf(file, '-d').matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
      expect(needed.filter((lib) => !ALLOWED_NEEDED.has(lib))).toEqual([]);
    });

    it('exports only the N-API entry points', () => {
      const defined = readelf(file, '--dyn-syms')
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        // Num: Value Size Type Bind Vis Ndx Name: defined, global or weak, not a section.
        .filter((f) => f.length >= 8 && f[6] !== 'UND' && f[6] !== 'Ndx' && (f[4] === 'GLOBAL' || f[4] === 'WEAK'))
        .map((f) => f[7]);
      expect(defined.sort()).toEqual(NAPI_EXPORTS);
    });

    it('is stripped', () => {
      const sections = readelf(file, '-S');
      expect(sections).not.toMatch(/\.symtab|\.debug_/);
    });
  });
});

if (!present) describe('prebuilt binaries (prebuilds/)', () => {
  it.skip('prebuilds/ is absent: run `npm run build:prebuilds` to build and gate them', () => {});
});
