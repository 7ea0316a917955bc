import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THREADS } from '../../contract/names.js';
import { bundleFunction } from '../../lib/bundling.js';
import { REPO_ROOT } from '../../local/emulator.js';
import { createClients, type Clients } from '../../src/runtime/aws/clients.js';
import { Objects } from '../../src/runtime/aws/objects.js';
import { HttpThreadHandler, recycleChunk } from '../../src/runtime/aws/http-thread.js';
import { startTestCloud, type TestCloud } from '../support/local-cloud.js';

let test: TestCloud;
let clients: Clients;
let threaded: S3Client;
const MiB = 1 << 20;

beforeAll(async () => {
  test = await startTestCloud();
  clients = createClients(process.env, { readOnThread: true });
  threaded = clients.s3Reader;
});
afterAll(() => {
  threaded?.destroy();
  return test?.stop();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function put(key: string, body: Buffer): Promise<string | undefined> {
  const out = await clients.s3.send(
    new PutObjectCommand({ Bucket: test.cloud.bucket, Key: key, Body: body }),
  );
  return out.VersionId;
}

/** A GET of `/` from a server of the test's own on 127.0.0.1, as the SDK would hand it over. */
function localGet(port: number): Parameters<HttpThreadHandler['handle']>[0] {
  const request = {
    method: 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: '/',
    query: {},
    headers: {},
  };
  return request as Parameters<HttpThreadHandler['handle']>[0];
}

describe('HttpThreadHandler', () => {
  it('is the reader createClients builds when asked, and only then', () => {
    expect(threaded).not.toBe(clients.s3);
    expect(threaded.config.requestHandler).toBeInstanceOf(HttpThreadHandler);
    const plain = createClients(process.env);
    expect(plain.s3Reader).toBe(plain.s3);
  });

  it('streams an object byte for byte, in 1 MiB buffers', async () => {
    const body = randomBytes(5 * MiB + 12_345);
    await put('incoming/threaded/whole.bin', body);
    const out = await threaded.send(
      new GetObjectCommand({ Bucket: test.cloud.bucket, Key: 'incoming/threaded/whole.bin' }),
    );
    expect(out.ContentLength).toBe(body.length);
    const chunks: Buffer[] = [];
    for await (const chunk of out.Body as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(chunks.map((c) => c.length)).toEqual([MiB, MiB, MiB, MiB, MiB, 12_345]);
    expect(sha(Buffer.concat(chunks))).toBe(sha(body));
  });

  it('sends small request bodies and reads empty objects', async () => {
    await threaded.send(
      new PutObjectCommand({ Bucket: test.cloud.bucket, Key: 'incoming/threaded/empty.txt', Body: '' }),
    );
    await threaded.send(
      new PutObjectCommand({ Bucket: test.cloud.bucket, Key: 'incoming/threaded/small.txt', Body: 'ACGT\n' }),
    );
    const read = async (key: string) =>
      (
        await threaded.send(new GetObjectCommand({ Bucket: test.cloud.bucket, Key: key }))
      ).Body!.transformToString();
    expect(await read('incoming/threaded/empty.txt')).toBe('');
    expect(await read('incoming/threaded/small.txt')).toBe('ACGT\n');
  });

  it("lets the SDK parse S3's errors into its exceptions", async () => {
    const error = await threaded
      .send(new GetObjectCommand({ Bucket: test.cloud.bucket, Key: 'incoming/threaded/missing.bin' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchKey);
  });

  it('refuses a streaming upload instead of reading it on the wrong thread', async () => {
    const error = await threaded
      .send(
        new PutObjectCommand({
          Bucket: test.cloud.bucket,
          Key: 'incoming/threaded/stream.bin',
          Body: Readable.from([Buffer.from('x')]),
          ContentLength: 1,
        }),
      )
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/no body or a small one/);
  });

  it('stops a request when its signal aborts, and serves the next one', async () => {
    const body = randomBytes(4 * MiB);
    await put('incoming/threaded/abort.bin', body);
    const controller = new AbortController();
    const out = await threaded.send(
      new GetObjectCommand({ Bucket: test.cloud.bucket, Key: 'incoming/threaded/abort.bin' }),
      { abortSignal: controller.signal },
    );
    const reading = (async () => {
      for await (const chunk of out.Body as AsyncIterable<Buffer>) {
        expect(chunk.length).toBeGreaterThan(0);
        controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    const again = await threaded.send(
      new GetObjectCommand({ Bucket: test.cloud.bucket, Key: 'incoming/threaded/abort.bin' }),
    );
    expect(sha(await again.Body!.transformToByteArray())).toBe(sha(body));
  });

  it('closes a response its consumer stops reading early', async () => {
    await put('incoming/threaded/early.bin', randomBytes(6 * MiB));
    const out = await threaded.send(
      new GetObjectCommand({ Bucket: test.cloud.bucket, Key: 'incoming/threaded/early.bin' }),
    );
    for await (const chunk of out.Body as AsyncIterable<Buffer>) {
      expect(chunk.length).toBe(MiB);
      break;
    }
    expect((out.Body as Readable).destroyed).toBe(true);
  });

  it('takes buffers back through Objects.open once the consumer asks for the next chunk', async () => {
    const body = randomBytes(3 * MiB);
    const versionId = await put('incoming/threaded/recycled.bin', body);
    const objects = new Objects(clients.s3, { reader: threaded, readConcurrency: 1 });
    const opened = await objects.open(test.cloud.bucket, 'incoming/threaded/recycled.bin', versionId ?? null);
    const copies: Buffer[] = [];
    let previous: Uint8Array | undefined;
    for await (const chunk of opened.body) {
      // The chunk before this one went back to the thread: its memory is no longer ours.
      if (previous) expect(previous.byteLength).toBe(0);
      copies.push(Buffer.from(chunk));
      previous = chunk;
    }
    expect(sha(Buffer.concat(copies))).toBe(sha(body));
    // A chunk that did not come from the thread is left alone.
    const own = Buffer.from('ACGT');
    expect(recycleChunk(own)).toBe(false);
    expect(own.toString()).toBe('ACGT');
  });

  it('reads with parallel ranged GETs through the thread', async () => {
    const body = randomBytes(9 * MiB + 7);
    const versionId = await put('incoming/threaded/ranged.bin', body);
    const objects = new Objects(clients.s3, { reader: threaded, readConcurrency: 3, partBytes: 2 * MiB });
    const opened = await objects.open(test.cloud.bucket, 'incoming/threaded/ranged.bin', versionId ?? null, {
      size: body.length,
    });
    const copies: Buffer[] = [];
    for await (const chunk of opened.body) copies.push(Buffer.from(chunk));
    expect(sha(Buffer.concat(copies))).toBe(sha(body));
  });

  it('fails a response that stalls within the timeout it was given, as the SDK handler does', async () => {
    // A server that sends the head and a little of the body, then nothing.
    const server: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-length': String(10 * MiB) });
      response.write(Buffer.alloc(1_000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const handler = new HttpThreadHandler({ socketTimeout: 300 });
    try {
      const { port } = server.address() as AddressInfo;
      const { response } = await handler.handle(localGet(port));
      expect(response.statusCode).toBe(200);
      // Without the timeout this would wait for the server forever (and the test time out).
      await expect((response.body as Readable).toArray()).rejects.toThrow();
    } finally {
      handler.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('fails a request that cannot connect with the error code the SDK retries on', async () => {
    // A port nothing listens on: bind one, note it, close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const handler = new HttpThreadHandler();
    try {
      await expect(handler.handle(localGet(port))).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
    } finally {
      handler.destroy();
    }
  });

  it('runs from a function bundle, with its thread bundled beside it', async () => {
    const body = randomBytes(3 * MiB + 5);
    await put('incoming/threaded/bundled.bin', body);
    // Inside the repository, so that the SDK left external resolves from node_modules.
    const cache = path.join(REPO_ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(path.join(cache, 'http-thread-bundle-'));
    try {
      const entry = path.join(dir, 'entry.ts');
      const handler = path.join(REPO_ROOT, 'src/runtime/aws/http-thread.ts');
      writeFileSync(
        entry,
        `import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { HttpThreadHandler } from ${JSON.stringify(handler)};
const s3 = new S3Client({ forcePathStyle: true, requestHandler: new HttpThreadHandler() });
const out = await s3.send(new GetObjectCommand({ Bucket: process.argv[2], Key: process.argv[3] }));
console.log(createHash('sha256').update(await out.Body.transformToByteArray()).digest('hex'));
s3.destroy();
`,
      );
      const outfile = await bundleFunction(REPO_ROOT, entry, path.join(dir, 'get.mjs'), { runsJobs: true });
      expect(existsSync(path.join(dir, THREADS.http.bundle))).toBe(true);
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [outfile, test.cloud.bucket, 'incoming/threaded/bundled.bin'],
        { env: process.env },
      );
      expect(stdout.trim()).toBe(sha(body));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
