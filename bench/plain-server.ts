// The ceiling for the HTTP benchmarks: a plain Node http server streaming request bodies to files
// and files to responses, with nothing in between (1 MiB buffers both ways, its fastest setting here).
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const [dir, portText] = process.argv.slice(2) as [string, string];
await fs.mkdir(dir, { recursive: true });

const server = http.createServer(async (req, res) => {
  const file = path.join(dir, encodeURIComponent(req.url ?? '/'));
  try {
    if (req.method === 'PUT') {
      await pipeline(req, createWriteStream(file, { highWaterMark: 1024 * 1024 }));
      res.writeHead(201).end();
    } else if (req.method === 'GET') {
      const { size } = await fs.stat(file);
      res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
      await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), res);
    } else {
      res.writeHead(405).end();
    }
  } catch {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
});
server.requestTimeout = 0;
server.listen(Number(portText), '127.0.0.1', () => process.stdout.write('READY\n'));
