// Where a snapshot comes from when the deployment does not ship it: a small
// interface, { describe(), fetchTo(destination) }, so a test (or another
// store: S3 through the AWS SDK, EFS, ...) can stand in for the download.
//
// fetchTo must leave either nothing or the whole file at `destination`:
// both sources below write under a temporary name beside it and rename, so
// a download cut short (a timeout, a crash) never looks like a snapshot.
// Whether the bytes that arrived are the snapshot's is the verified open's
// business (the handler opens with verify: true).
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

async function intoPlace(destination, write) {
  const partial = `${destination}.part-${process.pid}`;
  try {
    await write(partial);
    fs.renameSync(partial, destination);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/** A source for a URL: https:// or http:// (fetched), or file:// (copied; for tests and local runs). */
export function urlSnapshotSource(url) {
  const parsed = new URL(url);
  if (parsed.protocol === 'file:') {
    const from = fileURLToPath(parsed);
    return {
      describe: () => url,
      fetchTo: (destination) => intoPlace(destination, async (partial) => fs.promises.copyFile(from, partial)),
    };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`unsupported snapshot URL ${url}`);
  return {
    describe: () => url,
    fetchTo: (destination) =>
      intoPlace(destination, async (partial) => {
        const response = await fetch(url);
        if (!response.ok || !response.body) throw new Error(`GET ${url}: HTTP ${response.status}`);
        await pipeline(Readable.fromWeb(response.body), fs.createWriteStream(partial));
      }),
  };
}
