/**
 * Finds and loads the native addon the way node-gyp-build does (a local build
 * under build/, else the prebuilt binary for this platform under prebuilds/),
 * and when nothing fits says so as an ArroyError with code
 * ERR_ARROY_NO_BINARY: what it looked for, what it found, and the one command
 * that builds the addon from the sources the package ships.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import nodeGypBuild = require('node-gyp-build');
import { ArroyError } from './errors';

/** Builds build/Release/arroy_ts.node inside the installed package, offline (LMDB's sources ship in it). */
export const BUILD_FROM_SOURCE_COMMAND = 'npm explore arroy-ts -- npm run build:native';

export function loadBinding(root: string): unknown {
  let file: string;
  try {
    file = nodeGypBuild.resolve(root);
  } catch (error) {
    throw noBinary(root, undefined, error);
  }
  try {
    return require(file);
  } catch (error) {
    // Found but unloadable: another architecture, a newer glibc, a damaged file.
    throw noBinary(root, file, error);
  }
}

function noBinary(root: string, tried: string | undefined, cause: unknown): ArroyError {
  const wanted = [
    `platform=${process.platform}`,
    `arch=${process.arch}`,
    `libc=${libc()}`,
    `Node ABI ${process.versions.modules} (Node ${process.versions.node}, N-API ${process.versions.napi})`,
  ].join(' ');
  const found = foundBinaries(root);
  const lines = [
    `arroy-ts has no native binary that loads here. Looked for ${wanted} in ${path.join(root, 'build', 'Release')} and ${path.join(root, 'prebuilds', `${process.platform}-${process.arch}`)}.`,
    `Found: ${found.length ? found.join(', ') : 'no binary at all'}.`,
  ];
  if (tried) lines.push(`Loading ${path.relative(root, tried)} failed: ${firstLine(cause)}`);
  lines.push(`To build it from source (needs a C++17 compiler, make and python3; no network): ${BUILD_FROM_SOURCE_COMMAND}`);
  return new ArroyError('ERR_ARROY_NO_BINARY', lines.join('\n'), { cause });
}

/** The libc node-gyp-build matches prebuilds against, with the glibc version when there is one. */
function libc(): string {
  const kind = process.env.LIBC || (fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
  if (kind !== 'glibc' || process.platform !== 'linux') return kind;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : kind;
}

/** Every .node file under build/Release and prebuilds/, relative to the package root. */
function foundBinaries(root: string): string[] {
  const found: string[] = [];
  const list = (dir: string) => {
    try {
      return fs.readdirSync(path.join(root, dir));
    } catch {
      return [];
    }
  };
  for (const file of list('build/Release')) if (file.endsWith('.node')) found.push(`build/Release/${file}`);
  for (const tuple of list('prebuilds')) {
    for (const file of list(`prebuilds/${tuple}`)) if (file.endsWith('.node')) found.push(`prebuilds/${tuple}/${file}`);
  }
  return found;
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}
