import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, type Clients } from '../../src/runtime/aws/clients.js';
import { Objects } from '../../src/runtime/aws/objects.js';
import { recycleChunk, WorkerThreadHttpHandler } from '../../src/runtime/aws/worker-thread-http.js';
import { startTestCloud, type TestCloud } from '../support/local-cloud.js';

let test: TestCloud;
let clients: Clients;
let threaded: S3Client;
const MiB = 1 << 20;

beforeAll(async () => {
  test = await startTestCloud();
  clients = createClients(process.env, { readOnWorkerThread: true });
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

describe('WorkerThreadHttpHandler', () => {
  it('is the reader createClients builds when asked, and only then', () => {
    expect(threaded).not.toBe(clients.s3);
    expect(threaded.config.requestHandler).toBeInstanceOf(WorkerThreadHttpHandler);
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
      // The chunk before this one went back to the worker: its memory is no longer ours.
      if (previous) expect(previous.byteLength).toBe(0);
      copies.push(Buffer.from(chunk));
      previous = chunk;
    }
    expect(sha(Buffer.concat(copies))).toBe(sha(body));
    // A chunk that did not come from a worker is left alone.
    const own = Buffer.from('ACGT');
    recycleChunk(own);
    expect(own.toString()).toBe('ACGT');
  });

  it('reads with parallel ranged GETs through the worker', async () => {
    const body = randomBytes(9 * MiB + 7);
    const versionId = await put('incoming/threaded/ranged.bin', body);
    const objects = new Objects(clients.s3, { reader: threaded, readConcurrency: 3, partBytes: 2 * MiB });
    const opened = await objects.open(
      test.cloud.bucket,
      'incoming/threaded/ranged.bin',
      versionId ?? null,
      undefined,
      body.length,
    );
    const copies: Buffer[] = [];
    for await (const chunk of opened.body) copies.push(Buffer.from(chunk));
    expect(sha(Buffer.concat(copies))).toBe(sha(body));
  });
});
