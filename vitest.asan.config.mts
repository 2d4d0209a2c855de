import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.mts';

// npm run test:asan: the JS tests against the addon built with ASan and
// UBSan (ARROY_ADDON_PATH, LD_PRELOAD set by the script). Every test file
// runs, but for those listed here, which build real data sets (200,000
// GloVe vectors take minutes under the sanitizers: their code paths are the
// same as the small tests'), run several shard processes over real data
// (their native paths are those of graph.test.ts and snapshot.test.ts), or
// only check packaging.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        '**/node_modules/**',
        'test/stress/**',
        'test/recall.test.ts',
        'test/*-glove.test.ts',
        'test/packaging.test.ts',
        'test/lambda-shards.test.ts',
      ],
    },
  }),
);
