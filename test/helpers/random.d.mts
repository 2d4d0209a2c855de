/** A seeded generator (mulberry32) of numbers in [0, 1). */
export declare function random(seed: number): () => number;
