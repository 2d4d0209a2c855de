/**
 * Command-line parsing through util.parseArgs in strict mode; its errors and
 * malformed values become UsageErrors (exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export const COMMON: OptionSpecs = {
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  json: { type: 'boolean' },
};

export const BUILD_OPTIONS: OptionSpecs = {
  trees: { type: 'string' },
  seed: { type: 'string' },
  threads: { type: 'string' },
};

export function parse(command: string, args: string[], options: OptionSpecs): Parsed {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...COMMON, ...options }, strict: true, allowPositionals: true });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

export function string(values: Parsed['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function numeric(command: string, values: Parsed['values'], name: string, integral: boolean): number | undefined {
  const text = string(values, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !(integral ? Number.isInteger(value) : Number.isFinite(value))) {
    throw new UsageError(`--${name} expects ${integral ? 'an integer' : 'a number'}, got '${text}'`, command);
  }
  return value;
}

/** An integer option: malformed text is a usage error; the range is the library's to check. */
export function integer(command: string, values: Parsed['values'], name: string): number | undefined {
  return numeric(command, values, name, true);
}

export function number(command: string, values: Parsed['values'], name: string): number | undefined {
  return numeric(command, values, name, false);
}

/** Exactly `count` positionals after the command, named for the message. */
export function positionals(command: string, parsed: Parsed, names: string[], rest = false): string[] {
  const got = parsed.positionals;
  if (got.length < names.length) throw new UsageError(`missing <${names[got.length]}>`, command);
  if (!rest && got.length > names.length) throw new UsageError(`unexpected argument '${got[names.length]}'`, command);
  return got;
}

/** An id typed on the command line: a non-negative integer, else a usage error. */
export function idArgument(command: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value)) throw new UsageError(`'${text}' is not an id (this index has numeric ids)`, command);
  return value;
}
