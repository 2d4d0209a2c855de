// Runs a sharded deployment locally: one process per shard (serve-shard.mjs)
// and the router in this process, calling each shard over loopback HTTP.
//
//   node invoke.mjs <dir of shards.json and shard-<i>.arroy> <query.json: {"vector": [...], "k": 10, "probe"?: 2}>
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readShardManifest } from 'arroy-ts';
import { createRouter } from './router.mjs';

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'serve-shard.mjs');

/** The shard snapshots the manifest of `dir` lists, in shard order. */
export function shardPaths(dir) {
  return readShardManifest(dir).shards.map((entry) => path.join(dir, entry.file));
}

function startShard(snapshotPath) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER, snapshotPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const port = /listening (\d+)/.exec(out);
      if (port) resolve({ child, port: Number(port[1]) });
    });
    child.on('exit', (code) => reject(new Error(`shard ${snapshotPath} exited with ${code}: ${err}`)));
  });
}

function post(port, body, agent) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** Starts a process per shard snapshot; returns their ports, pids and stop(). */
export async function startShards(paths) {
  const started = await Promise.allSettled(paths.map(startShard));
  const shards = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const stop = () => {
    for (const { child } of shards) child.kill();
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    stop();
    throw failed.reason;
  }
  return { shards, pids: shards.map(({ child }) => child.pid), stop };
}

/** Starts a process per shard of the deployment in `dir` (its shards.json); returns the router over them, their pids and stop(). */
export async function startDeployment(dir) {
  const manifest = readShardManifest(dir);
  const { shards, pids, stop } = await startShards(manifest.shards.map((entry) => path.join(dir, entry.file)));
  const agent = new http.Agent({ keepAlive: true });
  const router = createRouter({ manifest, invokeShard: (i, event) => post(shards[i].port, event, agent) });
  return {
    router,
    pids,
    stop: () => {
      agent.destroy();
      stop();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, queryFile] = process.argv.slice(2);
  if (!dir || !queryFile) {
    process.stderr.write('usage: node invoke.mjs <shard dir> <query.json>\n');
    process.exit(2);
  }
  const deployment = await startDeployment(dir);
  try {
    const result = await deployment.router(JSON.parse(fs.readFileSync(queryFile, 'utf8')));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    deployment.stop();
  }
}
