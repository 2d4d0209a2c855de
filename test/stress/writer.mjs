// A writer process for the multi-process tests. Continues the history of
// plan.mjs from a committed generation: for each next generation it prints
// "building <g>", applies the changes, builds, and prints "committed <g>"
// once the build has resolved.
//
//   node writer.mjs <file> <mode: soak | crash> <from generation> <seconds> [mapSize]
//
// soak: one index 'num' with numeric ids. crash: a Database holding 'num'
// and a string-keyed 'str' with the same items, built together (one commit).
import { Database, Index } from '../../dist/index.mjs';
import { DIMENSIONS, History, applyChanges } from './plan.mjs';

const [file, mode, fromArg, secondsArg, mapSizeArg] = process.argv.slice(2);
const mapSize = mapSizeArg ? Number(mapSizeArg) : undefined;
const history = new History();
history.advanceTo(Number(fromArg));
const deadline = Date.now() + Number(secondsArg) * 1000;
const say = (line) => process.stdout.write(`${line}\n`);

if (mode === 'soak') {
  const index = Index.open(file, { name: 'num', dimensions: DIMENSIONS, distance: 'euclidean', mapSize });
  while (Date.now() < deadline) {
    const changes = history.step();
    say(`building ${changes.generation}`);
    applyChanges(changes, index);
    await index.build({ rebuild: changes.rebuild, seed: changes.generation, threads: 1 });
    say(`committed ${changes.generation}`);
  }
  index.close();
} else {
  const db = Database.open(file, { mapSize });
  const numeric = db.index('num', { dimensions: DIMENSIONS, distance: 'euclidean' });
  const keyed = db.index('str', { dimensions: DIMENSIONS, distance: 'euclidean', keys: 'string' });
  while (Date.now() < deadline) {
    const changes = history.step();
    say(`building ${changes.generation}`);
    applyChanges(changes, numeric, keyed);
    await db.build({ rebuild: changes.rebuild, seed: changes.generation, threads: 1 });
    say(`committed ${changes.generation}`);
  }
  db.close();
}
