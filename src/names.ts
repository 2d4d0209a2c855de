/**
 * The core's name lists, as TypeScript types. Each list is defined once in
 * the C++ core (native/core: distance/metric.h kMetrics, search/strategy.h
 * kSearchStrategies, forest/build_monitor.h kBuildPhases, errors.h
 * kErrorCodes) and exported by the binding as `names`; these `as const`
 * copies exist only so that TypeScript can type them, and
 * test/names.test.ts fails if they ever differ from what the binding reports.
 */

/** Distance names, in the core's order. */
export const DISTANCES = ['euclidean', 'manhattan', 'cosine', 'dot'] as const;

/** Search strategy names. */
export const STRATEGIES = ['auto', 'forest', 'exact', 'graph'] as const;

/** Build phase names, in the order a build goes through them. */
export const BUILD_PHASES = ['applying', 'trees', 'writing', 'graph', 'calibrating'] as const;

/** Error codes the core raises (src/errors.ts documents each). */
export const CORE_ERROR_CODES = [
  'ERR_ARROY_INVALID_ARGUMENT',
  'ERR_ARROY_DIMENSION_MISMATCH',
  'ERR_ARROY_DISTANCE_MISMATCH',
  'ERR_ARROY_NOT_AN_INDEX',
  'ERR_ARROY_CORRUPT',
  'ERR_ARROY_FORMAT_VERSION',
  'ERR_ARROY_CLOSED',
  'ERR_ARROY_BUSY',
  'ERR_ARROY_ABORTED',
  'ERR_ARROY_STORAGE',
  'ERR_ARROY_NO_CHECKSUM',
] as const;

export type DistanceName = (typeof DISTANCES)[number];
export type StrategyName = (typeof STRATEGIES)[number];
export type BuildPhaseName = (typeof BUILD_PHASES)[number];
export type CoreErrorCode = (typeof CORE_ERROR_CODES)[number];
