// Every name list and limit has one home in the C++ core; TypeScript keeps
// `as const` copies of the lists only to type them (src/names.ts). This test
// is what keeps the copies honest: a name added, removed or reordered on one
// side only fails here.
import { describe, expect, it } from 'vitest';
import { ArroyError } from '../src/index';
import { BUILD_PHASES, CORE_ERROR_CODES, DISTANCES, STRATEGIES } from '../src/names';
import { binding } from '../src/native';

describe('the TypeScript name lists match the core', () => {
  it.each([
    ['distances', DISTANCES, binding.names.distances],
    ['strategies', STRATEGIES, binding.names.strategies],
    ['build phases', BUILD_PHASES, binding.names.buildPhases],
    ['error codes', CORE_ERROR_CODES, binding.names.errorCodes],
  ])('%s', (_, typed, native) => {
    expect([...typed]).toEqual(native);
  });
});

describe('the binding exports the core limits', () => {
  it('has every limit as a positive number', () => {
    for (const [name, value] of Object.entries(binding.limits)) expect(value, name).toBeGreaterThan(0);
    expect(binding.limits.minBucketCapacity).toBeLessThan(binding.limits.maxBucketCapacity);
    expect(binding.defaults.mapSize).toBeGreaterThanOrEqual(binding.limits.minMapSize);
  });
});

describe('native errors', () => {
  it('are ArroyErrors thrown by the addon itself', () => {
    let thrown: unknown;
    try {
      binding.listIndexes(42 as unknown as string, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ArroyError);
    expect((thrown as ArroyError).code).toBe('ERR_ARROY_INVALID_ARGUMENT');
  });
});
