export declare const SHARED_DIR: string;
export declare const DATASETS_DIR: string;

export interface Dataset {
  name: string;
  distance: 'cosine' | 'euclidean';
  dim: number;
  base: Float32Array;
  baseCount: number;
  queries: Float32Array;
  queryCount: number;
  /** groundTruth[q * gtK + j] = id of the j-th true neighbour of query q. */
  groundTruth: Int32Array;
  gtK: number;
  row(which: 'base' | 'queries', i: number): Float32Array;
}

export declare function loadDataset(name: 'glove-100-angular' | 'fashion-mnist-784-euclidean'): Dataset;
export declare function recallAtK(results: number[][], ds: Dataset, k: number): number;
export declare function readWords(): string[];
export declare function randomSubset(ds: Dataset, fraction: number, seed: number): Uint32Array;
export declare function contiguousSubset(ds: Dataset, fraction: number, start: number): Uint32Array;
export declare function filteredTruth(ds: Dataset, allowed: Uint32Array, k: number): number[][];
export declare function recallAgainst(results: ArrayLike<number>[], truths: number[][]): number;
