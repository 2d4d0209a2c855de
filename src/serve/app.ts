/**
 * The HTTP service over one arroy-ts file: a fastify app with the routes of
 * routes/, the key check of auth.ts, the schemas of schemas.ts and the
 * write batcher. `startServer` listens; `createService` gives the app alone
 * (for `inject`) and what closing it needs.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Database } from '../database';
import { WriteBatcher, type BatcherOptions } from './batcher';
import { Collections } from './collections';
import { describeError, errorBody, formatSchemaError } from './errors';
import { KeyStore } from './keys';
import { adminRoutes } from './routes/admin';
import { dataRoutes } from './routes/data';

export interface ServiceOptions {
  /** The arroy-ts file (created when missing). */
  indexPath: string;
  /** The key file (default `<indexPath>.keys.json`). */
  keyFile?: string;
  /** Largest request body in bytes; larger is 413 (default 16 MiB: a batch of 1,000 items of 1,536 dimensions as JSON). */
  bodyLimit?: number;
  batch?: Partial<BatcherOptions>;
  /** Log each request as JSON lines on stdout (fastify's pino logger). Default false. */
  logger?: boolean;
}

/**
 * 20 ms: long enough that concurrent writers share a build (a build costs
 * a transaction and a graph update whatever its size), short next to the
 * build itself, so an insert waits little longer than its build.
 */
export const DEFAULT_BATCH: BatcherOptions = { delayMs: 20, maxItems: 5000 };
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

export interface Service {
  app: FastifyInstance;
  keys: KeyStore;
  batcher: WriteBatcher;
  /** Stops listening, commits queued writes, closes the file. */
  close(): Promise<void>;
}

export const defaultKeyFile = (indexPath: string): string => `${indexPath}.keys.json`;

export function createService(options: ServiceOptions): Service {
  const db = Database.open(options.indexPath);
  const keys = KeyStore.open(options.keyFile ?? defaultKeyFile(options.indexPath));
  const batcher = new WriteBatcher(db, { ...DEFAULT_BATCH, ...options.batch });
  const collections = new Collections(db, batcher);
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    logger: options.logger ?? false,
    // Validation names the first bad field; nothing is coerced or dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    schemaErrorFormatter: formatSchemaError,
  });
  // JSON only: a text/plain body would reach the schemas as a string.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, _request, reply) => {
    const body = describeError(error);
    if (body.error.status >= 500) app.log.error(error);
    return reply.code(body.error.status).send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
  const context = { store: keys, collections, batcher };
  adminRoutes(app, context);
  dataRoutes(app, context);

  let closing: Promise<void> | undefined;
  return {
    app,
    keys,
    batcher,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await batcher.close();
        db.close();
      })()),
  };
}

export interface ListenOptions {
  port?: number;
  host?: string;
}

/** Creates the service and listens; resolves to it and the address it listens on. */
export async function startServer(options: ServiceOptions & ListenOptions): Promise<Service & { url: string }> {
  const service = createService(options);
  try {
    const address = await service.app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
    return { ...service, url: address };
  } catch (error) {
    await service.close();
    throw error;
  }
}
