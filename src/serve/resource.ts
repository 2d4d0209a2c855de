/**
 * One URL and its methods, registered with fastify, plus a 405 (with an
 * `Allow` header) for every other method on that URL: fastify alone would
 * answer a wrong method with 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import { authenticate, type Scope } from './auth';
import { errorBody } from './errors';
import type { KeyStore } from './keys';

export interface Method {
  scope: Scope | 'none';
  schema?: FastifySchema;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const VERBS: Verb[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export function resource(app: FastifyInstance, store: KeyStore, url: string, methods: Partial<Record<Verb, Method>>): void {
  const allowed = Object.keys(methods) as Verb[];
  for (const verb of allowed) {
    const method = methods[verb]!;
    app.route({
      method: verb,
      url,
      schema: method.schema,
      onRequest: method.scope === 'none' ? undefined : authenticate(store, method.scope),
      handler: method.handler,
    });
  }
  const others = VERBS.filter((verb) => !allowed.includes(verb));
  if (others.length === 0) return;
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: others as HTTPMethods[],
    url,
    handler: async (request, reply) => {
      reply.header('allow', allow);
      return reply.code(405).send(errorBody(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url}; use ${allow}`));
    },
  });
}
