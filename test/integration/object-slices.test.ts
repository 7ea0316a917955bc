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
    fastqCounter: clients.s3FastqCounter,
  });
});
afterAll(async () => {
  for (const client of [clients?.s3Reader, clients?.s3FastqCounter]) client?.destroy();
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

/** Ranges each client sent during `run`: the main thread's client's, then the counter's. */
async function rangesOf<T>(run: () => Promise<T>): Promise<{ result: T; main: string[]; counter: string[] }> {
  const counter = recordRanges(clients.s3FastqCounter!);
  const main = recordRanges(clients.s3);
  const result = await run();
  // Recording stops: the middleware stays, but its arrays are no longer looked at.
  return { result, main: [...main], counter: [...counter] };
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
  it('gives the report one stream of it gives, in two slices at least, the first here and the second on the HTTP thread', async () => {
    const key = 'incoming/slices/reads.fq';
    const versionId = await put(key, large);
    const expected = await runJob(once(large), { name: key, parseOnThread: false });
    const { result, main, counter } = await rangesOf(() =>
      runJobOnObject(
        objects,
        { bucket: test.cloud.bucket, key, versionId, size: large.length },
        { name: key },
      ),
    );
    expect(JSON.stringify(result.report)).toBe(JSON.stringify(expected));
    expect(result.lastModified.getTime()).toBeGreaterThan(0);
    // The bytes around the middle and the first slice on this thread, the second on the HTTP thread.
    expect(main).toHaveLength(2);
    expect(counter).toHaveLength(1);
    const cut = Number(/^bytes=0-(\d+)$/.exec(main[1]!)?.[1]) + 1;
    expect(counter[0]).toBe(`bytes=${cut}-${large.length - 1}`);
    expect(large[cut]).toBe(64); // '@': a record starts there
  });

  it('takes as many ranged GETs as the read concurrency, half here and half on the HTTP thread', async () => {
    const key = 'incoming/slices/four.fq';
    const versionId = await put(key, large);
    const four = new Objects(clients.s3, { readConcurrency: 4, fastqCounter: clients.s3FastqCounter });
    const { result, main, counter } = await rangesOf(() =>
      runJobOnObject(four, { bucket: test.cloud.bucket, key, versionId, size: large.length }, { name: key }),
    );
    expect(JSON.stringify(result.report)).toBe(
      JSON.stringify(await runJob(once(large), { name: key, parseOnThread: false })),
    );
    // Three windows around the cuts, then the first two slices, which start at 0 and at a cut.
    const here = main.slice(3);
    expect([here.length, counter.length]).toEqual([2, 2]);
    // Contiguous, the whole object, in order of their first byte.
    const bounds = [...here, ...counter]
      .map((range) => /^bytes=(\d+)-(\d+)$/.exec(range)!.slice(1).map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0]);
    expect(bounds[0]![0]).toBe(0);
    expect(bounds.at(-1)![1]).toBe(large.length - 1);
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]![0]).toBe(bounds[i - 1]![1] + 1);
  });

  it('on one CPU, takes as many ranged GETs as the read concurrency, all here; one GET with a concurrency of 1', async () => {
    const key = 'incoming/slices/one-cpu.fq';
    const versionId = await put(key, large);
    const object = { bucket: test.cloud.bucket, key, versionId, size: large.length };
    // As deployed without a second CPU: no HTTP thread, parsed on the main thread.
    const oneCpu = { name: key, parseOnThread: false };
    const expected = JSON.stringify(await runJob(once(large), oneCpu));
    const four = new Objects(clients.s3, { readConcurrency: 4 });
    const sliced = await rangesOf(() => runJobOnObject(four, object, oneCpu));
    expect(JSON.stringify(sliced.result.report)).toBe(expected);
    expect(sliced.counter).toEqual([]);
    // Three windows around the cuts, then the four slices: contiguous, the whole object.
    const bounds = sliced.main
      .slice(3)
      .map((range) => /^bytes=(\d+)-(\d+)$/.exec(range)!.slice(1).map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0]);
    expect(bounds).toHaveLength(4);
    expect(bounds[0]![0]).toBe(0);
    expect(bounds.at(-1)![1]).toBe(large.length - 1);
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]![0]).toBe(bounds[i - 1]![1] + 1);
    const one = new Objects(clients.s3, { readConcurrency: 1 });
    const stream = await rangesOf(() => runJobOnObject(one, object, oneCpu));
    expect(JSON.stringify(stream.result.report)).toBe(expected);
    expect(stream.main).toEqual(['']);
  });

  it('leaves a bad input to one stream, which names the error one reading names', async () => {
    const text = large.toString('latin1');
    const late = text.lastIndexOf('\n@', text.length - 10_000) + 1;
    const bad = Buffer.from(`${text.slice(0, late)}@bad\nACGT\n-\nIIII\n${text.slice(late)}`, 'latin1');
    const key = 'incoming/slices/bad.fq';
    const versionId = await put(key, bad);
    const expected = await errorOf(runJob(once(bad), { name: key, parseOnThread: false }));
    expect(expected).toBeInstanceOf(InputError);
    const { result: error, counter } = await rangesOf(() =>
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
    // The second half failed on the HTTP thread, as an InputError, and the object was read again.
    expect(counter).toHaveLength(1);
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

  it('reads a gzipped or CSV input with one GET, whatever the read concurrency: a gzipped one on this thread, a plain CSV on the HTTP thread', async () => {
    const four = new Objects(clients.s3, {
      readConcurrency: 4,
      partBytes: 512 << 10,
      reader: clients.s3Reader,
      fastqCounter: clients.s3FastqCounter,
    });
    const csv = csvBuffer({ bytes: 5 << 20, seed: 93 });
    const inputs: [string, Buffer, 'here' | 'thread'][] = [
      ['incoming/one-get/reads.fq.gz', gzipSync(large, { level: 1 }), 'here'],
      ['incoming/one-get/table.csv.gz', gzipSync(csv, { level: 1 }), 'here'],
      ['incoming/one-get/table.csv', csv, 'thread'],
    ];
    for (const [key, body, where] of inputs) {
      expect(body.length).toBeGreaterThan(1 << 20); // two parts and more: ranged GETs were allowed
      const versionId = await put(key, body);
      const thread = recordRanges(clients.s3Reader);
      const { result, main, counter } = await rangesOf(() =>
        runJobOnObject(four, { bucket: test.cloud.bucket, key, versionId, size: body.length }, { name: key }),
      );
      expect({ main, thread: [...thread] }).toEqual(
        where === 'here' ? { main: [''], thread: [] } : { main: [], thread: [''] },
      );
      expect(counter).toEqual([]);
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
    // Slice 0 is counted on this thread, slice 1 on the HTTP thread.
    for (const index of [0, 1]) {
      const error = await errorOf(halves.count(index, { start: 0, end: 1000 }, new AbortController().signal));
      expect((error as { name?: string }).name).toBe('PreconditionFailed');
    }
  });

  it('answers a slice with S3 errors as the SDK parses them, and bytes that are not FASTQ as none, on either thread', async () => {
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

  it('counts a slice alike on either thread, a record cut short at the end failing only the last', async () => {
    const key = 'incoming/slices/either.fq';
    const small = fastqBuffer({ reads: 2000, seed: 94 });
    await put(key, small);
    const halves = objects.slices(test.cloud.bucket, key, null, small.length)!;
    const signal = new AbortController().signal;
    const whole = { start: 0, end: small.length };
    const [here, there] = await Promise.all([halves.count(0, whole, signal), halves.count(1, whole, signal)]);
    expect(here).toEqual(there);
    expect(here?.atRecordStart).toBe(true);
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
