import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvBuffer, fastqBuffer } from '../../local/synthetic-inputs.js';
import { FastqParser } from '../../src/core/fastq.js';
import { InputError, runJob } from '../../src/core/index.js';
import { createClients, type Clients } from '../../src/runtime/aws/clients.js';
import { Objects } from '../../src/runtime/aws/objects.js';
import { runJobOnObject } from '../../src/runtime/execute.js';
import { startTestCloud, type TestCloud } from '../support/local-cloud.js';

let test: TestCloud;
let clients: Clients;
let objects: Objects;
/** Over the size from which a plain FASTQ is read in halves. */
const large = fastqBuffer({ bytes: 17 << 20, seed: 91 });

beforeAll(async () => {
  test = await startTestCloud();
  clients = createClients(process.env);
  objects = new Objects(clients.s3, { readConcurrency: 2 });
});
afterAll(async () => {
  clients?.s3.destroy();
  await test?.stop();
});

async function put(key: string, body: Buffer): Promise<string | null> {
  const out = await clients.s3.send(
    new PutObjectCommand({ Bucket: test.cloud.bucket, Key: key, Body: body }),
  );
  return out.VersionId ?? null;
}

/** The Range header of every GetObject `client` sends ("" for a whole object). */
function recordRanges(client: S3Client): string[] {
  const ranges: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetObjectCommand') {
        ranges.push((args.request as { headers: Record<string, string> }).headers.range ?? '');
      }
      return next(args);
    },
    { step: 'build' },
  );
  return ranges;
}

/** The ranges the client sent during `run`. */
async function rangesOf<T>(run: () => Promise<T>): Promise<{ result: T; ranges: string[] }> {
  const ranges = recordRanges(clients.s3);
  const result = await run();
  // Recording stops: the middleware stays, but its array is no longer looked at.
  return { result, ranges: [...ranges] };
}

/** The [first, last] bytes of each range, in order of the first. */
function boundsOf(ranges: string[]): [number, number][] {
  return ranges
    .map((range) => /^bytes=(\d+)-(\d+)$/.exec(range)!.slice(1).map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

/** Ranges that cover `size` bytes from the start, one after the other. */
function expectContiguous(bounds: [number, number][], size: number): void {
  expect(bounds[0]![0]).toBe(0);
  expect(bounds.at(-1)![1]).toBe(size - 1);
  for (let i = 1; i < bounds.length; i++) expect(bounds[i]![0]).toBe(bounds[i - 1]![1] + 1);
}

async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('an S3 object read in slices', () => {
  it('gives the report one stream of it gives, with as many ranged GETs as the read concurrency; one GET with a concurrency of 1', async () => {
    const key = 'incoming/slices/reads.fq';
    const versionId = await put(key, large);
    const object = { bucket: test.cloud.bucket, key, versionId, size: large.length };
    for (const parseOnThread of [false, undefined]) {
      // Without a second CPU (no parse thread) and with one: the slices are read alike.
      const options = { name: key, parseOnThread };
      const expected = JSON.stringify(await runJob(once(large), { name: key, parseOnThread: false }));
      for (const readConcurrency of [2, 4]) {
        const sliced = new Objects(clients.s3, { readConcurrency });
        const { result, ranges } = await rangesOf(() => runJobOnObject(sliced, object, options));
        expect(JSON.stringify(result.report)).toBe(expected);
        expect(result.lastModified.getTime()).toBeGreaterThan(0);
        // A window around each cut, then the slices: contiguous, the whole object.
        const slices = boundsOf(ranges.slice(readConcurrency - 1));
        expect(slices).toHaveLength(readConcurrency);
        expectContiguous(slices, large.length);
        expect(large[slices[1]![0]]).toBe(64); // '@': a record starts at a cut
      }
      const one = new Objects(clients.s3, { readConcurrency: 1 });
      const stream = await rangesOf(() => runJobOnObject(one, object, options));
      expect(JSON.stringify(stream.result.report)).toBe(expected);
      expect(stream.ranges).toEqual(['']);
    }
  });

  it('leaves a bad input to one stream, which names the error one reading names', async () => {
    const text = large.toString('latin1');
    const late = text.lastIndexOf('\n@', text.length - 10_000) + 1;
    const bad = Buffer.from(`${text.slice(0, late)}@bad\nACGT\n-\nIIII\n${text.slice(late)}`, 'latin1');
    const key = 'incoming/slices/bad.fq';
    const versionId = await put(key, bad);
    const expected = await errorOf(runJob(once(bad), { name: key, parseOnThread: false }));
    expect(expected).toBeInstanceOf(InputError);
    const { result: error, ranges } = await rangesOf(() =>
      errorOf(
        runJobOnObject(
          objects,
          { bucket: test.cloud.bucket, key, versionId, size: bad.length },
          { name: key },
        ),
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    const fields = (e: InputError) => ({ message: e.message, code: e.code, line: e.line, record: e.record });
    expect(fields(error as InputError)).toEqual(fields(expected as InputError));
    // The window around the cut and the two slices, then the object read again from the start,
    // in 4 MiB parts.
    const part = 4 << 20;
    expect(ranges.slice(3)).toEqual(
      Array.from(
        { length: Math.ceil(bad.length / part) },
        (_, i) => `bytes=${i * part}-${(i + 1) * part - 1}`,
      ),
    );
  });

  it('reads a gzipped object as one stream, whatever its name says', async () => {
    const gzipped = gzipSync(large, { level: 1 });
    for (const key of ['incoming/slices/gz.fq', 'incoming/slices/gz.fq.gz']) {
      const versionId = await put(key, gzipped);
      const { result } = await rangesOf(() =>
        runJobOnObject(
          objects,
          { bucket: test.cloud.bucket, key, versionId, size: gzipped.length },
          { name: key },
        ),
      );
      expect(result.report.input.gzip).toBe(true);
      expect(result.report.fastq?.reads).toBe((await runJob(once(large), { name: 'x.fq' })).fastq?.reads);
    }
  });

  it('reads a gzipped or CSV input with one GET, whatever the read concurrency', async () => {
    const four = new Objects(clients.s3, { readConcurrency: 4, partBytes: 512 << 10 });
    const csv = csvBuffer({ bytes: 5 << 20, seed: 93 });
    const inputs: [string, Buffer][] = [
      ['incoming/one-get/reads.fq.gz', gzipSync(large, { level: 1 })],
      ['incoming/one-get/table.csv.gz', gzipSync(csv, { level: 1 })],
      ['incoming/one-get/table.csv', csv],
    ];
    for (const [key, body] of inputs) {
      expect(body.length).toBeGreaterThan(1 << 20); // two parts and more: ranged GETs were allowed
      const versionId = await put(key, body);
      const { result, ranges } = await rangesOf(() =>
        runJobOnObject(four, { bucket: test.cloud.bucket, key, versionId, size: body.length }, { name: key }),
      );
      expect(ranges).toEqual(['']);
      expect(JSON.stringify(result.report)).toBe(
        JSON.stringify(await runJob(once(body), { name: key, parseOnThread: false })),
      );
    }
  });

  it('pins every GET to the version the first one read', async () => {
    const key = 'incoming/slices/changing.fq';
    await put(key, large);
    const halves = objects.slices(test.cloud.bucket, key, null, large.length)!;
    // The first GET: its ETag pins the rest.
    for await (const chunk of halves.read({ start: 0, end: 100 })) expect(chunk.length).toBeGreaterThan(0);
    await put(key, fastqBuffer({ bytes: 17 << 20, seed: 92 }));
    for (const index of [0, 1]) {
      const error = await errorOf(halves.count(index, { start: 0, end: 1000 }, new AbortController().signal));
      expect((error as { name?: string }).name).toBe('PreconditionFailed');
    }
  });

  it('answers a slice with S3 errors as the SDK parses them, and bytes that are not FASTQ as none', async () => {
    const halves = objects.slices(test.cloud.bucket, 'incoming/slices/missing.fq', null, large.length)!;
    const key = 'incoming/slices/not-fastq.fq';
    await put(key, Buffer.from('this is not FASTQ\n'.repeat(1000)));
    const notFastq = objects.slices(test.cloud.bucket, key, null, 18_000)!;
    for (const index of [0, 1]) {
      const error = await errorOf(halves.count(index, { start: 0, end: 1000 }, new AbortController().signal));
      expect((error as { name?: string }).name).toBe('NoSuchKey');
      expect(
        await notFastq.count(index, { start: 0, end: 18_000 }, new AbortController().signal),
      ).toBeUndefined();
    }
  });

  it('counts a slice, a record cut short at the end failing only the last', async () => {
    const key = 'incoming/slices/either.fq';
    const small = fastqBuffer({ reads: 2000, seed: 94 });
    await put(key, small);
    const halves = objects.slices(test.cloud.bucket, key, null, small.length)!;
    const signal = new AbortController().signal;
    const whole = { start: 0, end: small.length };
    const [first, second] = await Promise.all([
      halves.count(0, whole, signal),
      halves.count(1, whole, signal),
    ]);
    expect(first).toEqual(second);
    const merged = new FastqParser();
    merged.merge(first!.state);
    expect(merged.finish().reads).toBe(2000);
    expect(first?.atRecordStart).toBe(true);
    // Ends inside a record: a slice before the last may, and says so; the last may not.
    const cutShort = { start: 0, end: small.length - 5 };
    const early = await halves.count(0, cutShort, signal);
    expect(early?.atRecordStart).toBe(false);
    const truncated = small.subarray(0, small.length - 5);
    await put(key, truncated);
    const last = objects.slices(test.cloud.bucket, key, null, truncated.length)!;
    for (const index of [0, 1])
      expect(await last.count(index, { start: 0, end: truncated.length }, signal)).toBeUndefined();
  });
});
