import { defineConfig } from 'vitest/config';

// npm run test:stress: the full crash and soak tests, one file at a time.
export default defineConfig({
  test: {
    include: ['test/stress/**/*.test.ts'],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 600_000,
  },
});
