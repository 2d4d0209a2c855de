// Full crash test (npm run test:stress): 50 SIGKILLs of a writer mid-build.
import { describe, expect, it } from 'vitest';
import { tempIndexPath } from '../helpers/tmp';
import { crashTest } from './harness';

describe('crash', () => {
  it('keeps every commit and nothing half-written across 50 SIGKILLs', async () => {
    const report = await crashTest(tempIndexPath('crash'), 50, 42);
    console.log(`kills survived: ${report.kills} (mid-build: ${report.killedMidBuild}, commit landed before its report: ${report.landedBeforeReport}, generations: ${report.generation})`);
    expect(report.kills).toBe(50);
    expect(report.killedMidBuild).toBeGreaterThan(25);
  }, 600_000);
});
