// One shard in its own process, standing in for one shard function: a
// loopback HTTP server whose POST body is the shard handler's event and whose
// response is its result. Prints "listening <port>" once it accepts requests.
//
//   node serve-shard.mjs <shard-snapshot>
import * as http from 'node:http';
import { createShardHandler } from './shard-handler.mjs';

const handler = createShardHandler({ snapshotPath: process.argv[2] });

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    let result;
    try {
      result = await handler(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (error) {
      result = { error: String(error?.message ?? error), code: error?.code };
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(result));
  });
});

// Open (and verify) the snapshot before saying we are ready, as a function's init phase would.
try {
  handler.open();
} catch (error) {
  process.stderr.write(`cannot serve ${process.argv[2]}: ${error.code ?? ''} ${error.message}\n`);
  process.exit(1);
}
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
