import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvBuffer, fastqBuffer } from '../../local/synthetic-inputs.js';
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
  clients = createClients(process.env, { readOnThread: true });
  objects = new Objects(clients.s3, {
    readConcurrency: 1,
    reader: clients.s3Reader,
    fastqCounters: clients.s3FastqCounters,
  });
});
afterAll(async () => {
  for (const client of [clients?.s3Reader, ...(clients?.s3FastqCounters ?? [])]) client?.destroy();
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

/** Ranges each client sent during `run`: the main client's, then each counter's. */
async function rangesOf<T>(
  run: () => Promise<T>,
): Promise<{ result: T; main: string[]; counters: string[][] }> {
  const counters = clients.s3FastqCounters!.map(recordRanges);
  const main = recordRanges(clients.s3);
  const result = await run();
  // Recording stops: the middleware stays, but its arrays are no longer looked at.
  return { result, main: [...main], counters: counters.map((ranges) => [...ranges]) };
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
  it('gives the report one stream of it gives, in two slices at least, one on each counting thread', async () => {
    const key = 'incoming/slices/reads.fq';
    const versionId = await put(key, large);
    const expected = await runJob(once(large), { name: key, parseOnThread: false });
    const { result, main, counters } = await rangesOf(() =>
      runJobOnObject(
        objects,
        { bucket: test.cloud.bucket, key, versionId, size: large.length },
        { name: key },
      ),
    );
    expect(JSON.stringify(result.report)).toBe(JSON.stringify(expected));
    expect(result.lastModified.getTime()).toBeGreaterThan(0);
    // The bytes around the middle on this thread; the two slices, one on each counting thread.
    expect(main).toHaveLength(1);
    const [first, second] = counters as [string[], string[]];
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    const cut = Number(/^bytes=0-(\d+)$/.exec(first[0]!)?.[1]) + 1;
    expect(second[0]).toBe(`bytes=${cut}-${large.length - 1}`);
    expect(large[cut]).toBe(64); // '@': a record starts there
  });

  it('takes as many ranged GETs as the read concurrency, half on each counting thread', async () => {
    const key = 'incoming/slices/four.fq';
    const versionId = await put(key, large);
    const four = new Objects(clients.s3, { readConcurrency: 4, fastqCounters: clients.s3FastqCounters });
    const { result, counters } = await rangesOf(() =>
      runJobOnObject(four, { bucket: test.cloud.bucket, key, versionId, size: large.length }, { name: key }),
    );
    expect(JSON.stringify(result.report)).toBe(
      JSON.stringify(await runJob(once(large), { name: key, parseOnThread: false })),
    );
    const [first, second] = counters as [string[], string[]];
    expect([first.length, second.length]).toEqual([2, 2]);
    // Contiguous, the whole object, in order of their first byte.
    const bounds = [...first, ...second]
      .map((range) => /^bytes=(\d+)-(\d+)$/.exec(range)!.slice(1).map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0]);
    expect(bounds[0]![0]).toBe(0);
    expect(bounds.at(-1)![1]).toBe(large.length - 1);
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]![0]).toBe(bounds[i - 1]![1] + 1);
  });

  it('leaves a bad input to one stream, which names the error one reading names', async () => {
    const text = large.toString('latin1');
    const late = text.lastIndexOf('\n@', text.length - 10_000) + 1;
    const bad = Buffer.from(`${text.slice(0, late)}@bad\nACGT\n-\nIIII\n${text.slice(late)}`, 'latin1');
    const key = 'incoming/slices/bad.fq';
    const versionId = await put(key, bad);
    const expected = await errorOf(runJob(once(bad), { name: key, parseOnThread: false }));
    expect(expected).toBeInstanceOf(InputError);
    const { result: error, counters } = await rangesOf(() =>
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
    // The second half failed on its thread, as an InputError, and the object was read again.
    expect(counters.flat()).toHaveLength(2);
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
    const four = new Objects(clients.s3, {
      readConcurrency: 4,
      partBytes: 1 << 20,
      fastqCounters: clients.s3FastqCounters,
    });
    const inputs: [string, Buffer][] = [
      ['incoming/one-get/reads.fq.gz', gzipSync(large, { level: 1 })],
      ['incoming/one-get/table.csv', csvBuffer({ bytes: 5 << 20, seed: 93 })],
    ];
    for (const [key, body] of inputs) {
      expect(body.length).toBeGreaterThan(2 << 20); // two parts and more: ranged GETs were allowed
      const versionId = await put(key, body);
      const { result, main, counters } = await rangesOf(() =>
        runJobOnObject(four, { bucket: test.cloud.bucket, key, versionId, size: body.length }, { name: key }),
      );
      expect(main).toEqual(['']);
      expect(counters.flat()).toEqual([]);
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
    const error = await errorOf(halves.count(0, { start: 0, end: 1000 }, new AbortController().signal));
    expect((error as { name?: string }).name).toBe('PreconditionFailed');
  });

  it('answers a counting GET with S3 errors as the SDK parses them, and bytes that are not FASTQ as none', async () => {
    const halves = objects.slices(test.cloud.bucket, 'incoming/slices/missing.fq', null, large.length)!;
    const error = await errorOf(halves.count(0, { start: 0, end: 1000 }, new AbortController().signal));
    expect((error as { name?: string }).name).toBe('NoSuchKey');
    const key = 'incoming/slices/not-fastq.fq';
    await put(key, Buffer.from('this is not FASTQ\n'.repeat(1000)));
    const notFastq = objects.slices(test.cloud.bucket, key, null, 18_000)!;
    expect(await notFastq.count(0, { start: 0, end: 18_000 }, new AbortController().signal)).toBeUndefined();
  });
});
