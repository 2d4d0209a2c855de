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
    // Generous: real-data tests build 200,000-vector indexes, and a busy
    // 2-core machine runs several times slower than an idle one.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
