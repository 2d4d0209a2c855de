import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The full crash and soak tests run with npm run test:stress.
    exclude: ['**/node_modules/**', 'test/stress/**'],
    // Recall tests build real indexes on every core: run files one at a time
    // so they neither fight over 2 cores nor time out.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
