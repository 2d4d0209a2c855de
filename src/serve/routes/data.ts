/**
 * Collections, items and search, each under its project; any key of the
 * project (or an admin key) may use them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Distance, Index } from '../../arroy-index';
import type { WriteBatcher } from '../batcher';
import type { Collections } from '../collections';
import { notFound } from '../errors';
import { addItem, checkItem, getItem, searchItems, type ItemInput, type SearchInput } from '../items';
import type { KeyStore } from '../keys';
import { resource } from '../resource';
import {
  collectionParams,
  createCollectionBody,
  deleteBatchBody,
  insertBatchBody,
  insertItemBody,
  itemParams,
  projectParams,
  searchBody,
  writeQuery,
} from '../schemas';

interface Context {
  store: KeyStore;
  collections: Collections;
  batcher: WriteBatcher;
}

interface CollectionParams {
  project: string;
  collection: string;
}

export function dataRoutes(app: FastifyInstance, { store, collections, batcher }: Context): void {
  const project = (request: FastifyRequest): string => {
    const name = (request.params as { project: string }).project;
    if (!store.project(name)) throw notFound(`no project '${name}'`);
    return name;
  };
  const collection = (request: FastifyRequest) => {
    const params = request.params as CollectionParams;
    project(request);
    return collections.index(params.project, params.collection);
  };

  /**
   * The answer to a write: by default after its build committed (201 or
   * 200), with `?wait=false` at once (202), naming the build to follow.
   */
  const acknowledge = async (request: FastifyRequest, reply: FastifyReply, build: number, body: object, status: number) => {
    if ((request.query as { wait?: string }).wait === 'false') {
      return reply.code(202).send({ ...body, build, state: batcher.status(build)?.state, status: `/v1/builds/${build}` });
    }
    await batcher.settled(build);
    return reply.code(status).send({ ...body, build, state: 'committed' });
  };

  /** Queues items for the next build, every one checked before the first is added: whole or not at all. */
  const queue = (index: Index<string>, items: ItemInput[], field: (i: number) => string): number => {
    const vectors = items.map((item, i) => checkItem(index, item, field(i)));
    return batcher.write(items.length, () => items.forEach((item, i) => addItem(index, item, vectors[i])));
  };

  resource(app, store, '/v1/projects/:project/collections', {
    GET: {
      scope: 'project',
      schema: { params: projectParams },
      handler: async (request) => {
        const name = project(request);
        return { collections: collections.names(name).map((c) => collections.info(name, c)) };
      },
    },
    POST: {
      scope: 'project',
      schema: { params: projectParams, body: createCollectionBody },
      handler: async (request, reply) => {
        const name = project(request);
        const body = request.body as { name: string; dimensions: number; distance: Distance };
        return reply.code(201).send(await collections.create(name, body.name, body.dimensions, body.distance));
      },
    },
  });

  resource(app, store, '/v1/projects/:project/collections/:collection', {
    GET: {
      scope: 'project',
      schema: { params: collectionParams },
      handler: async (request) => {
        const params = request.params as CollectionParams;
        project(request);
        return collections.info(params.project, params.collection);
      },
    },
    DELETE: {
      scope: 'project',
      schema: { params: collectionParams },
      handler: async (request, reply) => {
        const params = request.params as CollectionParams;
        project(request);
        await collections.drop(params.project, params.collection);
        return reply.code(204).send();
      },
    },
  });

  resource(app, store, '/v1/projects/:project/collections/:collection/items', {
    POST: {
      scope: 'project',
      schema: { params: collectionParams, querystring: writeQuery, body: insertItemBody },
      handler: async (request, reply) => {
        const item = request.body as ItemInput;
        const build = queue(collection(request), [item], () => 'body');
        return acknowledge(request, reply, build, { id: item.id }, 201);
      },
    },
  });

  resource(app, store, '/v1/projects/:project/collections/:collection/batch', {
    POST: {
      scope: 'project',
      schema: { params: collectionParams, querystring: writeQuery, body: insertBatchBody },
      handler: async (request, reply) => {
        const { items } = request.body as { items: ItemInput[] };
        const build = queue(collection(request), items, (i) => `body/items/${i}`);
        return acknowledge(request, reply, build, { count: items.length }, 201);
      },
    },
  });

  resource(app, store, '/v1/projects/:project/collections/:collection/batch/delete', {
    POST: {
      scope: 'project',
      schema: { params: collectionParams, querystring: writeQuery, body: deleteBatchBody },
      handler: async (request, reply) => {
        const index = collection(request);
        const { ids } = request.body as { ids: string[] };
        const build = batcher.write(ids.length, () => ids.forEach((id) => index.delete(id)));
        return acknowledge(request, reply, build, { count: ids.length }, 200);
      },
    },
  });

  resource(app, store, '/v1/projects/:project/collections/:collection/items/:id', {
    GET: {
      scope: 'project',
      schema: { params: itemParams },
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const item = getItem(collection(request), id);
        if (!item) throw notFound(`no item '${id}' (items become visible when their build commits)`);
        return item;
      },
    },
    DELETE: {
      scope: 'project',
      schema: { params: itemParams, querystring: writeQuery },
      handler: async (request, reply) => {
        const index = collection(request);
        const { id } = request.params as { id: string };
        if (!index.has(id)) throw notFound(`no item '${id}'`);
        const build = batcher.write(1, () => index.delete(id));
        return acknowledge(request, reply, build, { id }, 200);
      },
    },
  });

  resource(app, store, '/v1/projects/:project/collections/:collection/search', {
    POST: {
      scope: 'project',
      schema: { params: collectionParams, body: searchBody },
      handler: async (request) => {
        const index = collection(request);
        // The build id first: the search reads that commit or a later one.
        const build = batcher.lastCommitted;
        const neighbors = await searchItems(index, request.body as SearchInput);
        return { neighbors, build };
      },
    },
  });
}
