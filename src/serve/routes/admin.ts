/**
 * Health, projects, API keys and builds. Projects and keys need an admin key,
 * except reading one's own project.
 */
import type { FastifyInstance } from 'fastify';
import { STATUS_HISTORY, type WriteBatcher } from '../batcher';
import type { Collections } from '../collections';
import { conflict, notFound } from '../errors';
import type { KeyRecord, KeyStore } from '../keys';
import { resource } from '../resource';
import { buildParams, buildQuery, createProjectBody, keyParams, projectParams } from '../schemas';

interface Context {
  store: KeyStore;
  collections: Collections;
  batcher: WriteBatcher;
}

const publicKey = (record: KeyRecord) => ({ id: record.id, project: record.project, created: record.created });

export function adminRoutes(app: FastifyInstance, { store, collections, batcher }: Context): void {
  const project = (name: string) => {
    const record = store.project(name);
    if (!record) throw notFound(`no project '${name}'`);
    return { name, created: record.created, collections: collections.names(name) };
  };

  resource(app, store, '/v1/health', {
    GET: { scope: 'none', handler: async () => ({ ok: true, committedBuild: batcher.lastCommitted }) },
  });

  resource(app, store, '/v1/projects', {
    GET: { scope: 'admin', handler: async () => ({ projects: store.projects().map(project) }) },
    POST: {
      scope: 'admin',
      schema: { body: createProjectBody },
      handler: async (request, reply) => {
        const { name } = request.body as { name: string };
        if (!store.createProject(name)) throw conflict(`project '${name}' already exists`);
        return reply.code(201).send(project(name));
      },
    },
  });

  resource(app, store, '/v1/projects/:project', {
    GET: { scope: 'project', schema: { params: projectParams }, handler: async (request) => project((request.params as { project: string }).project) },
    DELETE: {
      scope: 'admin',
      schema: { params: projectParams },
      handler: async (request, reply) => {
        const name = (request.params as { project: string }).project;
        project(name);
        await collections.dropProject(name);
        store.deleteProject(name);
        return reply.code(204).send();
      },
    },
  });

  resource(app, store, '/v1/projects/:project/keys', {
    GET: {
      scope: 'admin',
      schema: { params: projectParams },
      handler: async (request) => {
        const name = project((request.params as { project: string }).project).name;
        return { keys: store.keys(name).map(publicKey) };
      },
    },
    POST: {
      scope: 'admin',
      schema: { params: projectParams },
      handler: async (request, reply) => {
        const name = project((request.params as { project: string }).project).name;
        const { key, record } = store.createKey(name);
        // The only time the plaintext key is shown: only its hash is kept.
        return reply.code(201).send({ ...publicKey(record), key });
      },
    },
  });

  resource(app, store, '/v1/keys/:key', {
    DELETE: {
      scope: 'admin',
      schema: { params: keyParams },
      handler: async (request, reply) => {
        const id = (request.params as { key: string }).key;
        if (!store.revokeKey(id)) throw notFound(`no key '${id}'`);
        return reply.code(204).send();
      },
    },
  });

  resource(app, store, '/v1/builds/:build', {
    GET: {
      scope: 'any',
      schema: { params: buildParams, querystring: buildQuery },
      handler: async (request) => {
        const id = Number((request.params as { build: string }).build);
        if (!batcher.status(id)) throw notFound(`no build ${id} (ids start at 1; the last ${STATUS_HISTORY} are kept)`);
        if ((request.query as { wait?: string }).wait === 'true') await batcher.settled(id).catch(() => undefined);
        return batcher.status(id);
      },
    },
  });
}
