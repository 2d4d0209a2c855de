#!/usr/bin/env node
/**
 * The arroy-ts command-line tool: build, change, search and inspect an index
 * file from a shell. Exit codes: 0 ok, 1 an error (printed as its ArroyError
 * code and message, no stack), 2 a usage error, 130 cancelled by Ctrl-C.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArroyError } from './errors';
import { UsageError, COMMAND_HELP, TOOL_HELP } from './cli/usage';
import { addCommand, buildCommand, deleteCommand } from './cli/write';
import { checkCommand, searchCommand, snapshotCommand, statsCommand } from './cli/read';
import { serveCommand } from './cli/serve';
import { shardCommand } from './cli/shard';

const COMMANDS: Record<string, (args: string[]) => void | Promise<void>> = {
  build: buildCommand,
  add: addCommand,
  delete: deleteCommand,
  search: searchCommand,
  stats: statsCommand,
  check: checkCommand,
  snapshot: snapshotCommand,
  shard: shardCommand,
  serve: serveCommand,
};

function version(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

async function main(args: string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${TOOL_HELP}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS[first];
  if (command === undefined) throw new UsageError(`unknown command '${first}'`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${COMMAND_HELP[first]}\n`);
    return 0;
  }
  await command(rest);
  return 0;
}

function fail(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`usage error: ${error.message}\nRun 'arroy-ts ${error.command ?? ''}${error.command ? ' ' : ''}--help' for usage.\n`);
    return 2;
  }
  if (error instanceof ArroyError) {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    return error.code === 'ERR_ARROY_ABORTED' ? 130 : 1;
  }
  const system = error as NodeJS.ErrnoException;
  if (typeof system?.code === 'string' && typeof system.syscall === 'string') {
    // The operating system refused a file (a missing input, no permission).
    process.stderr.write(`error ERR_ARROY_STORAGE: ${system.message}\n`);
    return 1;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = fail(error);
  },
);
