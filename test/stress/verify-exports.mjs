// Everything the tests import from the plain ESM helpers, in one module.
export { DIMENSIONS, History, applyChanges, keyOf, vectorOf } from './plan.mjs';
export { expectGeneration, whichGeneration } from './verify.mjs';
