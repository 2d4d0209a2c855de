/**
 * Request items to library calls: vectors checked against their collection
 * before any change is made (so a batch is queued whole or not at all), and
 * the attribute options passed through.
 */
import type { Index, Neighbor } from '../arroy-index';
import { badRequest, HttpError } from './errors';

export interface ItemInput {
  id: string;
  vector: number[];
  attributes?: Record<string, unknown>;
}

export interface SearchInput {
  vector: number[];
  k?: number;
  recall?: number;
  where?: Record<string, unknown>;
  attributes?: boolean;
}

/**
 * The vector as float32s, or a 400 naming `field`: the wrong length, a value
 * a float32 cannot hold, or a zero vector under the cosine distance. These
 * are the library's own checks, made here so that a batch is checked whole
 * before its first add.
 */
export function checkVector(index: Index<string>, values: number[], field: string): Float32Array {
  if (values.length !== index.dimensions) {
    throw badRequest(`${field} has ${values.length} numbers; the collection has ${index.dimensions} dimensions`);
  }
  const vector = Float32Array.from(values);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i])) throw badRequest(`${field}/${i} is out of float32 range`);
    norm += vector[i] * vector[i];
  }
  if (!Number.isFinite(Math.fround(Math.sqrt(norm)))) throw badRequest(`${field} has a norm out of float32 range`);
  if (index.distance === 'cosine' && norm === 0) throw badRequest(`${field} is the zero vector, which has no cosine distance`);
  return vector;
}

/**
 * Attribute filters and stored attributes come with the library's attribute
 * support (issue 13 item 2), not merged into this build yet: until then a
 * request using them is refused rather than having them silently dropped.
 */
function unsupported(field: string): HttpError {
  return new HttpError(501, 'NOT_IMPLEMENTED', `${field}: attributes are not supported by this build of arroy-ts`);
}

export function checkItem(index: Index<string>, item: ItemInput, field: string): Float32Array {
  if (item.attributes !== undefined) throw unsupported(`${field}/attributes`);
  return checkVector(index, item.vector, `${field}/vector`);
}

export function addItem(index: Index<string>, item: ItemInput, vector: Float32Array): void {
  index.add(item.id, vector);
}

export interface ItemOutput {
  id: string;
  vector: number[];
  attributes?: Record<string, unknown>;
}

export function getItem(index: Index<string>, id: string): ItemOutput | undefined {
  const vector = index.get(id);
  return vector ? { id, vector: Array.from(vector) } : undefined;
}

export async function searchItems(index: Index<string>, input: SearchInput): Promise<{ id: string; distance: number }[]> {
  if (input.where !== undefined) throw unsupported('body/where');
  if (input.attributes === true) throw unsupported('body/attributes');
  const vector = checkVector(index, input.vector, 'body/vector');
  const options = input.recall === undefined ? { k: input.k ?? 10 } : { k: input.k ?? 10, recall: input.recall };
  const neighbors: Neighbor[] = await index.searchAsync(vector, options);
  return neighbors.map((neighbor) => ({ id: neighbor.key as string, distance: neighbor.distance }));
}
