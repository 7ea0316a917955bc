import { GetObjectCommand, HeadObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticObjectServer, type StaticObjectServer } from '../../../bench/lib/static-object-server.js';

const body = randomBytes(100_003);
let dir: string;
let server: StaticObjectServer;
let s3: S3Client;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'static-object-server-'));
  const file = path.join(dir, 'reads.fq');
  writeFileSync(file, body);
  server = await startStaticObjectServer({ 'bucket/in/reads.fq': file });
  s3 = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the static file server standing in for S3', () => {
  it('answers HEAD and GET as the SDK expects, whole and by range', async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'bucket', Key: 'in/reads.fq' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toMatch(/^".+"$/);
    const whole = await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'in/reads.fq' }));
    expect(Buffer.from(await whole.Body!.transformToByteArray()).equals(body)).toBe(true);
    const part = await s3.send(
      new GetObjectCommand({ Bucket: 'bucket', Key: 'in/reads.fq', Range: 'bytes=10-19' }),
    );
    expect(part.ContentRange).toBe(`bytes 10-19/${body.length}`);
    expect(Buffer.from(await part.Body!.transformToByteArray()).equals(body.subarray(10, 20))).toBe(true);
  });

  it('answers a key it does not serve with NoSuchKey', async () => {
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'in/other.fq' })),
    ).rejects.toBeInstanceOf(NoSuchKey);
  });
});
