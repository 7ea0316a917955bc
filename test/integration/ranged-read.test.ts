import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, type Clients } from '../../src/runtime/aws/clients.js';
import { Objects } from '../../src/runtime/aws/objects.js';
import { rangedRead } from '../../src/runtime/aws/ranged-read.js';
import { startTestCloud, type TestCloud } from '../support/local-cloud.js';

let test: TestCloud;
let clients: Clients;
const PART = 64 * 1024;

beforeAll(async () => {
  test = await startTestCloud();
  clients = createClients();
});
afterAll(() => test?.stop());

async function put(key: string, body: Buffer): Promise<string | undefined> {
  const out = await clients.s3.send(
    new PutObjectCommand({ Bucket: test.cloud.bucket, Key: key, Body: body }),
  );
  return out.VersionId;
}

/** Copies each chunk: a body's chunk is valid only until the next one is asked for. */
async function drain(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The Range header of every GetObject the client sends ("" for a whole-object GET). */
function recordRanges(client: S3Client): string[] {
  const ranges: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetObjectCommand') {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        ranges.push(headers.range ?? '');
      }
      return next(args);
    },
    { step: 'build' },
  );
  return ranges;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('rangedRead', () => {
  it.each([
    ['one byte past a part', PART + 1],
    ['exactly two parts', 2 * PART],
    ['three and a half parts', 3.5 * PART],
    ['many parts', 37 * PART + 123],
  ])('returns the object byte for byte: %s', async (_name, size) => {
    const body = randomBytes(size);
    const versionId = await put(`incoming/ranged/${size}.bin`, body);
    for (const concurrency of [1, 3, 8]) {
      const read = await rangedRead(clients.s3, {
        bucket: test.cloud.bucket,
        key: `incoming/ranged/${size}.bin`,
        versionId,
        partBytes: PART,
        concurrency,
      });
      expect(read.size).toBe(size);
      expect(sha(await drain(read.body))).toBe(sha(body));
    }
  });

  it('copies the parts into at most concurrency + 1 buffers, used again in turn', async () => {
    const body = randomBytes(20 * PART);
    const versionId = await put('incoming/ranged/reused.bin', body);
    const read = await rangedRead(clients.s3, {
      bucket: test.cloud.bucket,
      key: 'incoming/ranged/reused.bin',
      versionId,
      partBytes: PART,
      concurrency: 3,
    });
    const buffers = new Set<ArrayBufferLike>();
    const copies: Buffer[] = [];
    for await (const chunk of read.body) {
      buffers.add(chunk.buffer);
      copies.push(Buffer.from(chunk));
    }
    expect(sha(Buffer.concat(copies))).toBe(sha(body));
    expect(copies.map((chunk) => chunk.length)).toEqual(Array(20).fill(PART));
    expect(buffers.size).toBeLessThanOrEqual(4);
  });

  it('fails, naming the object, when a part comes back longer than the range asked for', async () => {
    const key = 'incoming/ranged/no-ranges.bin';
    const versionId = await put(key, randomBytes(4 * PART));
    // A server that ignores Range answers every part with the whole object.
    const reader = new S3Client({ forcePathStyle: true });
    reader.middlewareStack.add(
      (next) => (args) => {
        delete (args.request as { headers: Record<string, string> }).headers.range;
        return next(args);
      },
      { step: 'build' },
    );
    const read = await rangedRead(reader, {
      bucket: test.cloud.bucket,
      key,
      versionId,
      partBytes: PART,
      concurrency: 2,
    });
    await expect(drain(read.body)).rejects.toThrow(
      `s3://${test.cloud.bucket}/${key}: a ranged GET answered more than the ${PART} bytes asked for`,
    );
    reader.destroy();
  });

  it('keeps reading the version it started with when a new one is uploaded', async () => {
    const key = 'incoming/ranged/changing.bin';
    const v1 = randomBytes(6 * PART);
    const versionId = await put(key, v1);
    const read = await rangedRead(clients.s3, {
      bucket: test.cloud.bucket,
      key,
      versionId,
      partBytes: PART,
      concurrency: 2,
    });
    await put(key, randomBytes(6 * PART));
    expect(sha(await drain(read.body))).toBe(sha(v1));
  });

  it('lets Objects.open choose it for large inputs and a single stream for small ones', async () => {
    const big = randomBytes(5 * PART);
    const versionId = await put('incoming/ranged/open.bin', big);
    const s3 = new S3Client({ forcePathStyle: true });
    const ranges = recordRanges(s3);
    const objects = new Objects(s3, { readConcurrency: 4, partBytes: PART });
    const opened = await objects.open(test.cloud.bucket, 'incoming/ranged/open.bin', versionId ?? null, {
      size: big.length,
    });
    expect(sha(await drain(opened.body))).toBe(sha(big));
    expect(ranges).toEqual([0, 1, 2, 3, 4].map((part) => `bytes=${part * PART}-${(part + 1) * PART - 1}`));
    ranges.length = 0;
    const small = await objects.open(test.cloud.bucket, 'incoming/ranged/open.bin', versionId ?? null, {
      size: PART,
    });
    expect(sha(await drain(small.body))).toBe(sha(big));
    expect(ranges).toEqual(['']);
    s3.destroy();
  });
});
