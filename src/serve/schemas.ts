/**
 * JSON schemas of every request. Fastify validates bodies, params and query
 * strings against them before a handler runs (Ajv, no coercion, unknown
 * fields rejected), and answers 400 with a message naming the field.
 * Lengths that depend on a collection (a vector's dimensions) are checked by
 * the handlers.
 */
import { DISTANCES } from '../names';

/** Most items in one batch insert or delete. */
export const MAX_BATCH_ITEMS = 1000;
/** Most neighbours one search returns. */
export const MAX_K = 1000;

/** Project and collection names: `<project>/<collection>` is the index name, so neither may hold '/'. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
const NAME = { type: 'string', pattern: NAME_PATTERN } as const;
/** Item ids are the index's string keys (the library checks their 511-byte limit). */
const ITEM_ID = { type: 'string', minLength: 1, maxLength: 511 } as const;
const VECTOR = { type: 'array', minItems: 1, maxItems: 65536, items: { type: 'number' } } as const;
const ATTRIBUTES = { type: 'object' } as const;

const object = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

export const projectParams = object({ project: NAME }, ['project']);
export const collectionParams = object({ project: NAME, collection: NAME }, ['project', 'collection']);
export const itemParams = object({ project: NAME, collection: NAME, id: ITEM_ID }, ['project', 'collection', 'id']);
export const keyParams = object({ key: { type: 'string', pattern: '^[0-9a-f]{12}$' } }, ['key']);
// Params are strings (the schemas coerce nothing): a build id is written in digits.
export const buildParams = object({ build: { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } }, ['build']);

/** `?wait=false`: answer 202 with the build id instead of waiting for the build. */
export const writeQuery = object({ wait: { type: 'string', enum: ['true', 'false'] } });
/** `?wait=true`: hold the answer until the build settles. */
export const buildQuery = writeQuery;

export const createProjectBody = object({ name: NAME }, ['name']);

export const createCollectionBody = object(
  {
    name: NAME,
    dimensions: { type: 'integer', minimum: 1, maximum: 65536 },
    distance: { type: 'string', enum: [...DISTANCES] },
  },
  ['name', 'dimensions', 'distance'],
);

const ITEM = object({ id: ITEM_ID, vector: VECTOR, attributes: ATTRIBUTES }, ['id', 'vector']);
export const insertItemBody = ITEM;
export const insertBatchBody = object({ items: { type: 'array', minItems: 1, maxItems: MAX_BATCH_ITEMS, items: ITEM } }, ['items']);
export const deleteBatchBody = object({ ids: { type: 'array', minItems: 1, maxItems: MAX_BATCH_ITEMS, items: ITEM_ID } }, ['ids']);

export const searchBody = object(
  {
    vector: VECTOR,
    k: { type: 'integer', minimum: 1, maximum: MAX_K },
    recall: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    where: { type: 'object' },
    attributes: { type: 'boolean' },
  },
  ['vector'],
);
