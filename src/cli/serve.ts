/**
 * The serve command: the HTTP service of src/serve over one file, until
 * SIGINT or SIGTERM (which commit the queued writes before exiting); or, with
 * --create-key, makes an API key in the key file, prints it and exits.
 */
import { DEFAULT_BATCH, DEFAULT_BODY_LIMIT, defaultKeyFile, startServer } from '../serve/app';
import { KeyStore } from '../serve/keys';
import { NAME_PATTERN } from '../serve/schemas';
import { integer, parse, positionals, string } from './options';
import { print } from './output';
import { UsageError } from './usage';

const PROJECT_NAME = new RegExp(NAME_PATTERN);

export async function serveCommand(args: string[]): Promise<void> {
  const parsed = parse('serve', args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'api-key-file': { type: 'string' },
    'body-limit': { type: 'string' },
    'batch-ms': { type: 'string' },
    'batch-items': { type: 'string' },
    'create-key': { type: 'boolean' },
    project: { type: 'string' },
    log: { type: 'boolean' },
  });
  const [indexPath] = positionals('serve', parsed, ['index']);
  const keyFile = string(parsed.values, 'api-key-file') ?? defaultKeyFile(indexPath);
  const project = string(parsed.values, 'project');
  if (parsed.values['create-key'] === true) {
    createKey(keyFile, project, parsed.values.json === true);
    return;
  }
  if (project !== undefined) throw new UsageError('--project goes with --create-key', 'serve');
  const port = integer('serve', parsed.values, 'port') ?? 8080;
  if (port < 0 || port > 65535) throw new UsageError(`--port must be 0 to 65535, got ${port}`, 'serve');
  const bodyLimit = positive(parsed.values, 'body-limit') ?? DEFAULT_BODY_LIMIT;
  const delayMs = integer('serve', parsed.values, 'batch-ms') ?? DEFAULT_BATCH.delayMs;
  if (delayMs < 0) throw new UsageError(`--batch-ms must be 0 or more, got ${delayMs}`, 'serve');
  const maxItems = positive(parsed.values, 'batch-items') ?? DEFAULT_BATCH.maxItems;

  const service = await startServer({
    indexPath,
    keyFile,
    bodyLimit,
    batch: { delayMs, maxItems },
    logger: parsed.values.log === true,
    port,
    host: string(parsed.values, 'host') ?? '127.0.0.1',
  });
  if (service.keys.keys().length === 0) {
    process.stderr.write(`warning: ${keyFile} holds no API key; make one with 'arroy-ts serve ${indexPath} --create-key'\n`);
  }
  // The address on stdout, one line, for scripts that start the service on port 0.
  if (parsed.values.json === true) print({ url: service.url, keyFile });
  else process.stdout.write(`listening on ${service.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await service.close();
}

function positive(values: Parameters<typeof integer>[1], name: string): number | undefined {
  const value = integer('serve', values, name);
  if (value !== undefined && value < 1) throw new UsageError(`--${name} must be at least 1, got ${value}`, 'serve');
  return value;
}

function createKey(keyFile: string, project: string | undefined, json: boolean): void {
  if (project !== undefined && !PROJECT_NAME.test(project)) {
    throw new UsageError(`--project '${project}' is not a project name (letters, digits, '_', '.', '-'; at most 64)`, 'serve');
  }
  const store = KeyStore.open(keyFile);
  if (project !== undefined) store.createProject(project);
  const { key, record } = store.createKey(project ?? null);
  if (json) print({ key, id: record.id, project: record.project, keyFile });
  else process.stdout.write(`${key}\n`);
  process.stderr.write(`${project === undefined ? 'admin key' : `key for project '${project}'`} ${record.id} added to ${keyFile}; the key is shown only now\n`);
}
