/**
 * A stand-in for S3 that costs next to no CPU: GET and HEAD of path-style `/BUCKET/KEY` answered
 * from local files, whole or by one byte range, with the headers the SDK reads. It checks no
 * signature and keeps no versions. The emulator spends about a CPU-second per GiB it serves, on
 * the same two cores as the reader and the parser; against this server the S3 rows measure the
 * reader more than the server, closer to S3, whose serving costs the reader nothing.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticObjectServer {
  endpoint: string;
  close(): Promise<void>;
}

function notFound(response: ServerResponse, key: string): void {
  response.writeHead(404, { 'content-type': 'application/xml' });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Key>${key}</Key></Error>`,
  );
}

/** Serves `objects` (`BUCKET/KEY` → local file path) on a free port of 127.0.0.1. */
export async function startStaticObjectServer(objects: Record<string, string>): Promise<StaticObjectServer> {
  const server = createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname.slice(1));
    const file = objects[name];
    if (file === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
      notFound(response, name);
      return;
    }
    const { size, mtime } = statSync(file);
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'last-modified': mtime.toUTCString(),
      etag: `"${size.toString(16)}-${mtime.getTime().toString(16)}"`,
      'accept-ranges': 'bytes',
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    headers['content-length'] = String(end - start + 1);
    response.writeHead(range ? 206 : 200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file, { start, end, highWaterMark: 1 << 20 }).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
