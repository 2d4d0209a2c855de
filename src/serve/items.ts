/**
 * Request items to library calls: vectors checked against their collection
 * before any change is made (so a batch is queued whole or not at all), and
 * attributes and `where` filters passed to the library.
 */
import type { Index, Neighbor } from '../arroy-index';
import { checkAttributes, type Attributes, type Where } from '../attributes';
import { ArroyError } from '../errors';
import { badRequest } from './errors';

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

/** The vector and attributes of an item, checked as the library would check them, or a 400 naming the field. */
export function checkItem(index: Index<string>, item: ItemInput, field: string): Float32Array {
  const vector = checkVector(index, item.vector, `${field}/vector`);
  try {
    checkAttributes(item.attributes);
  } catch (error) {
    if (error instanceof ArroyError) throw badRequest(`${field}/attributes: ${error.message}`);
    throw error;
  }
  return vector;
}

export function addItem(index: Index<string>, item: ItemInput, vector: Float32Array): void {
  index.add(item.id, vector, item.attributes === undefined ? undefined : { attributes: item.attributes as Attributes });
}

export interface ItemOutput {
  id: string;
  vector: number[];
  attributes?: Record<string, unknown>;
}

export function getItem(index: Index<string>, id: string): ItemOutput | undefined {
  const vector = index.get(id);
  if (!vector) return undefined;
  const attributes = index.getAttributes(id) ?? {};
  return { id, vector: Array.from(vector), attributes };
}

export interface Hit {
  id: string;
  distance: number;
  attributes?: Record<string, unknown>;
}

export async function searchItems(index: Index<string>, input: SearchInput): Promise<Hit[]> {
  const vector = checkVector(index, input.vector, 'body/vector');
  const options = {
    k: input.k ?? 10,
    ...(input.recall === undefined ? {} : { recall: input.recall }),
    ...(input.where === undefined ? {} : { where: input.where as Where }),
    ...(input.attributes === undefined ? {} : { attributes: input.attributes }),
  };
  let neighbors: Neighbor[];
  try {
    neighbors = await index.searchAsync(vector, options);
  } catch (error) {
    // The rest of the body was checked above, so the library's complaint (an
    // unknown field, a value of the wrong type) is about the predicate.
    if (error instanceof ArroyError && error.code === 'ERR_ARROY_INVALID_ARGUMENT' && input.where !== undefined) {
      throw badRequest(`body/where: ${error.message}`);
    }
    throw error;
  }
  return neighbors.map((n) => (n.attributes === undefined ? { id: n.key as string, distance: n.distance } : { id: n.key as string, distance: n.distance, attributes: n.attributes }));
}
