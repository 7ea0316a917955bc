import { S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nginxBinary, pacedServerAvailable, withStaticS3 } from '../../bench/lib/static-s3.js';
import { Objects } from '../../src/runtime/aws/objects.js';

const dir = mkdtempSync(path.join(tmpdir(), 'static-s3-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function drain(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

// The bench's stand-ins for S3's serving side must give the reader exactly what S3 would: the
// object whole, and in ranges, through the reader as deployed.
const servers = [
  ...(nginxBinary() === undefined ? [] : [{ name: 'nginx', options: {} }]),
  ...(pacedServerAvailable()
    ? [{ name: 'the paced server', options: { bytesPerSecondPerRequest: 50_000_000 } }]
    : []),
];

describe.each(servers)('the bench serving objects with $name', ({ options }) => {
  it('answers HEAD and whole and ranged GETs byte for byte', async () => {
    const body = randomBytes(5 * 1024 * 1024 + 123);
    const file = path.join(dir, 'reads.fq');
    writeFileSync(file, body);
    await withStaticS3(
      { 'runs/one/reads.fq': file },
      async ({ endpoint, bucket }) => {
        const config = {
          endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
        };
        const s3 = new S3Client(config);
        try {
          for (const readConcurrency of [1, 4]) {
            const objects = new Objects(s3, { readConcurrency, partBytes: 1024 * 1024 });
            const head = await objects.head(bucket, 'runs/one/reads.fq');
            expect(head.size).toBe(body.length);
            const opened = await objects.open(bucket, 'runs/one/reads.fq', null, { size: head.size });
            expect(sha(await drain(opened.body))).toBe(sha(body));
          }
        } finally {
          s3.destroy();
        }
      },
      options,
    );
  });
});

describe.skipIf(!pacedServerAvailable())('the paced server', () => {
  it('serves every request, a short range too, no faster than its rate', async () => {
    const body = randomBytes(2_000_000);
    const file = path.join(dir, 'paced.fq');
    writeFileSync(file, body);
    const rate = 4_000_000;
    await withStaticS3(
      { 'paced.fq': file },
      async ({ endpoint, bucket }) => {
        const timed = async (range?: string) => {
          const started = performance.now();
          const response = await fetch(`${endpoint}/${bucket}/paced.fq`, {
            headers: range ? { Range: range } : {},
          });
          const received = Buffer.from(await response.arrayBuffer());
          return { received, seconds: (performance.now() - started) / 1000, status: response.status };
        };
        const whole = await timed();
        expect(sha(whole.received)).toBe(sha(body));
        expect(whole.seconds).toBeGreaterThan(0.4); // 0.5 s at the rate
        // nginx's limit_rate would send these 800 kB at once.
        const part = await timed('bytes=1000000-1799999');
        expect(part.status).toBe(206);
        expect(part.received.equals(body.subarray(1_000_000, 1_800_000))).toBe(true);
        expect(part.seconds).toBeGreaterThan(0.15); // 0.2 s at the rate
      },
      { bytesPerSecondPerRequest: rate },
    );
  });

  it('waits before each GET answers where told to, as S3 does before its first byte', async () => {
    const file = path.join(dir, 'small.fq');
    writeFileSync(file, '@r\nACGT\n+\nIIII\n');
    const firstByteSeconds = 0.4;
    await withStaticS3(
      { 'small.fq': file },
      async ({ endpoint, bucket }) => {
        const url = `${endpoint}/${bucket}/small.fq`;
        const timed = async (method: string) => {
          const started = performance.now();
          const response = await fetch(url, { method });
          await response.arrayBuffer();
          return (performance.now() - started) / 1000;
        };
        // Two GETs at once, each on a connection of its own: each waits, not one after the other.
        const started = performance.now();
        const both = await Promise.all([timed('GET'), timed('GET')]);
        const together = (performance.now() - started) / 1000;
        for (const seconds of both) expect(seconds).toBeGreaterThanOrEqual(firstByteSeconds);
        expect(together).toBeLessThan(2 * firstByteSeconds);
        expect(await timed('HEAD')).toBeLessThan(firstByteSeconds);
      },
      { bytesPerSecondPerRequest: 50_000_000, firstByteSeconds },
    );
  });

  it('plays a first-byte wait only with a rate: nginx does not', async () => {
    await expect(withStaticS3({}, async () => undefined, { firstByteSeconds: 0.1 })).rejects.toThrow(
      'bytesPerSecondPerRequest',
    );
  });
});
