/**
 * The `x-api-key` check, run on every route but the health check before the
 * body is read: no or an unknown key is 401; a project key used on another
 * project, or on what only an admin key may do, is 403.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors';
import type { Caller, KeyStore } from './keys';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** Who may call a route: an admin key only, a key of the route's `:project`, or any valid key. */
export type Scope = 'admin' | 'project' | 'any';

export function authenticate(store: KeyStore, scope: Scope) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers['x-api-key'];
    if (header === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'missing x-api-key header');
    const caller = typeof header === 'string' ? store.verify(header) : undefined;
    if (!caller) throw new HttpError(401, 'UNAUTHORIZED', 'invalid API key');
    request.caller = caller;
    if (caller.project === null) return;
    if (scope === 'admin') throw new HttpError(403, 'FORBIDDEN', 'this needs an admin key');
    const project = (request.params as { project?: string }).project;
    if (scope === 'project' && project !== caller.project) {
      throw new HttpError(403, 'FORBIDDEN', `this key belongs to project '${caller.project}', not '${project}'`);
    }
  };
}
