// With no binary that fits and nothing built, loading arroy-ts throws an
// ArroyError with code ERR_ARROY_NO_BINARY that says what it looked for, what
// it found, and the command that builds from source. Checked on a copy of the
// built package (dist/) laid out as an install, in a child process each.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const built = fs.existsSync(path.join(root, 'dist', 'index.js'));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** An installed-looking copy of the package with the given prebuilds/ files, and what loading it throws. */
function loadWith(prebuilds: Record<string, Buffer>, type: 'commonjs' | 'module') {
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'arroy-nobin-'));
  dirs.push(app);
  const pkg = path.join(app, 'node_modules', 'arroy-ts');
  fs.mkdirSync(pkg, { recursive: true });
  fs.cpSync(path.join(root, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(root, 'node_modules', 'node-gyp-build'), path.join(app, 'node_modules', 'node-gyp-build'), 'dir');
  for (const [file, bytes] of Object.entries(prebuilds)) {
    fs.mkdirSync(path.dirname(path.join(pkg, file)), { recursive: true });
    fs.writeFileSync(path.join(pkg, file), bytes);
  }
  const report = 'console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message }))';
  const code =
    type === 'module'
      ? `try { await import('arroy-ts'); console.log('{}') } catch (e) { ${report} }`
      : `try { require('arroy-ts'); console.log('{}') } catch (e) { ${report} }`;
  const file = path.join(app, type === 'module' ? 'main.mjs' : 'main.cjs');
  fs.writeFileSync(file, code);
  // PREBUILDS_ONLY is cleared so build/Release would be looked at too (there is none).
  const env = { ...process.env, PREBUILDS_ONLY: '', ARROY_ADDON_PATH: '' };
  // Not execFileSync: Node 20 also reports an error thrown while a CommonJS
  // module re-exported by an ES module evaluates as uncaught (exit code 1)
  // after the importer's catch has run, so only the catch's line is read.
  const child = spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', env });
  return JSON.parse(child.stdout.split('\n')[0]);
}

const other = process.arch === 'arm64' ? 'x64' : 'arm64';

describe.skipIf(!built)('no binary for this system (ERR_ARROY_NO_BINARY)', () => {
  it('names platform, arch, libc, Node ABI, what it found and the build command (require)', () => {
    const e = loadWith({ [`prebuilds/linux-${other}/arroy-ts.glibc.node`]: Buffer.from('not this arch') }, 'commonjs');
    expect(e.name).toBe('ArroyError');
    expect(e.code).toBe('ERR_ARROY_NO_BINARY');
    expect(e.message).toContain(`platform=${process.platform} arch=${process.arch} libc=glibc`);
    expect(e.message).toContain(`Node ABI ${process.versions.modules} (Node ${process.versions.node}, N-API ${process.versions.napi})`);
    expect(e.message).toContain(`Found: prebuilds/linux-${other}/arroy-ts.glibc.node.`);
    expect(e.message).toContain('npm explore arroy-ts -- npm run build:native');
  });

  it('says so when nothing at all ships (import)', () => {
    const e = loadWith({}, 'module');
    expect(e.code).toBe('ERR_ARROY_NO_BINARY');
    expect(e.message).toContain('Found: no binary at all.');
  });

  it('reports a matching binary that fails to load, with the loader error', () => {
    const mine = `prebuilds/${process.platform}-${process.arch}/arroy-ts.glibc.node`;
    const e = loadWith({ [mine]: Buffer.from('damaged') }, 'commonjs');
    expect(e.code).toBe('ERR_ARROY_NO_BINARY');
    expect(e.message).toContain(`Loading ${mine} failed: `);
    expect(e.message).toMatch(/invalid ELF header|file too short/);
  });
});

if (!built) describe('no binary for this system (ERR_ARROY_NO_BINARY)', () => {
  it.skip('dist/ is not built: run `npm run build:ts` first', () => {});
});
