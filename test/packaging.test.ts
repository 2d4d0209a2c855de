// The published entry points: `require('arroy-ts')` and `import 'arroy-ts'`
// resolve through package.json "exports" to the built dist/ files, share one
// native addon, and ship type declarations.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempIndexPath } from './helpers/tmp';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function run(code: string, type: 'commonjs' | 'module'): string {
  // Resolve 'arroy-ts' as a dependent would: through a node_modules link to this package.
  const dir = fs.mkdtempSync(path.join(path.dirname(tempIndexPath()), 'consumer-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(root, path.join(dir, 'node_modules', 'arroy-ts'), 'dir');
  const file = path.join(dir, type === 'module' ? 'main.mjs' : 'main.cjs');
  fs.writeFileSync(file, code);
  return execFileSync(process.execPath, [file], { encoding: 'utf8', cwd: dir });
}

const script = (load: string) => `
${load}
const file = ${JSON.stringify(tempIndexPath('pkg'))};
const index = Index.open(file, { dimensions: 2, distance: 'euclidean' });
index.add(1, [0, 0]);
index.add(2, [3, 4]);
index.build().then(() => {
  const hits = index.search([3, 3], { k: 1 });
  let code;
  try { index.add(-1, [0, 0]); } catch (e) { code = (e instanceof ArroyError) && e.code; }
  console.log(JSON.stringify({ hits, code }));
  index.close();
});
`;

describe('package entry points', () => {
  it('works through require()', () => {
    const out = JSON.parse(run(script("const { Index, ArroyError } = require('arroy-ts');"), 'commonjs'));
    expect(out).toEqual({ hits: [{ id: 2, distance: 1 }], code: 'ERR_ARROY_INVALID_ARGUMENT' });
  });

  it('works through import', () => {
    const out = JSON.parse(run(script("import { Index, ArroyError } from 'arroy-ts';"), 'module'));
    expect(out).toEqual({ hits: [{ id: 2, distance: 1 }], code: 'ERR_ARROY_INVALID_ARGUMENT' });
  });

  it('gives both module systems the same classes (one addon instance)', () => {
    const out = run(
      "import { Index } from 'arroy-ts'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); console.log(require('arroy-ts').Index === Index);",
      'module',
    );
    expect(out.trim()).toBe('true');
  });

  it('declares types for both conditions, and every declared file exists', () => {
    const dot = pkg.exports['.'];
    for (const file of [dot.import.types, dot.import.default, dot.require.types, dot.require.default, pkg.main, pkg.types]) {
      expect(fs.existsSync(path.join(root, file)), file).toBe(true);
    }
    expect(fs.readFileSync(path.join(root, dot.import.types), 'utf8')).toMatch(/Index/);
    expect(pkg.engines.node).toBe('>=20');
  });
});
