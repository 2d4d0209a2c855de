// Full soak (npm run test:stress): 4 reader processes and a writer for 60 s
// (ARROY_SOAK_SECONDS overrides), every result checked against the history.
import { describe, expect, it } from 'vitest';
import { tempIndexPath } from '../helpers/tmp';
import { soakTest } from './harness';

const seconds = Number(process.env.ARROY_SOAK_SECONDS ?? 60);

describe('soak', () => {
  it(`serves consistent snapshots to 4 readers while a writer commits for ${seconds} s`, async () => {
    const report = await soakTest(tempIndexPath('soak'), seconds, 4);
    console.log(`soak: ${report.searches} searches, ${report.errors} errors, ${report.generations} generations committed`);
    expect(report.firstError).toBeUndefined();
    expect(report.errors).toBe(0);
    expect(report.searches).toBeGreaterThan(0);
  }, (seconds + 120) * 1000);
});
