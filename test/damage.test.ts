// The damaged-file corpus (test/damage/corpus.mjs) on a short budget: seeded
// cases of every kind of damage, each in its own child process. None may end
// in a signal, a hang, runaway memory (over 2x the peak of an undamaged run)
// or an exception that is not an ArroyError. npm run test:stress runs 1,000
// seeds of each kind; test/damage/RESULTS.md has the tables.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM shared with the stress run, no declarations
import { KINDS, formatTable, runCorpus } from './damage/corpus.mjs';

const SEEDS = Number(process.env.ARROY_DAMAGE_SEEDS ?? 30);

describe('damaged files', () => {
  it(`never crash, hang or run away: ${SEEDS} seeds of each kind`, async () => {
    const failures: string[] = [];
    const run = await runCorpus({ seeds: SEEDS, jobs: 2, log: (line: string) => failures.push(line) });
    console.log(formatTable(run));
    expect(failures).toEqual([]);
    for (const kind of KINDS as string[]) {
      const row = run.table[kind];
      expect(row.signal + row.hang + row.memory + row.untyped, kind).toBe(0);
      // Damage is in the file, so most cases must meet it: a typed error.
      if (kind === 'truncate' || kind === 'rewrite' || kind === 'flip100') expect(row.typed, kind).toBeGreaterThan(SEEDS / 2);
    }
  });
});
