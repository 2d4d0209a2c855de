// The same as smoke.cjs, through import (the ESM entry point).
import { createRequire } from 'node:module';
import { Index } from 'arroy-ts';

const { report } = createRequire(import.meta.url)('./report.cjs');
await report('esm', Index);
