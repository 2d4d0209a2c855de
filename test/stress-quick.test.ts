// Quick versions of the stress tests (the full ones: npm run test:stress).
import { describe, expect, it } from 'vitest';
import { tempIndexPath } from './helpers/tmp';
import { crashTest, soakTest } from './stress/harness';

describe('stress, quick', () => {
  it('survives 5 SIGKILLs of a writer mid-build', async () => {
    const report = await crashTest(tempIndexPath('crash'), 5, 7);
    expect(report.kills).toBe(5);
  }, 120_000);

  it('serves consistent snapshots to 2 readers while a writer commits for 3 s', async () => {
    const report = await soakTest(tempIndexPath('soak'), 3, 2);
    expect(report.firstError).toBeUndefined();
    expect(report.errors).toBe(0);
    expect(report.searches).toBeGreaterThan(100);
  }, 120_000);
});
