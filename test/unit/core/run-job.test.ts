import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gzipSync } from 'node:zlib';
import {
  describeFile,
  fileChunks,
  JobAbortedError,
  RESULT_SCHEMA_VERSION,
  runJob,
} from '../../../src/core/index.js';
import { csvBuffer, fastqBuffer, writeCsv, writeFastq } from '../../../local/synthetic-inputs.js';
import { chunked } from './helpers.js';

describe('describeFile', () => {
  it.each([
    ['reads.fastq', 'fastq', false],
    ['reads.fq', 'fastq', false],
    ['dir/reads.FASTQ.GZ', 'fastq', true],
    ['reads.fq.gz', 'fastq', true],
    ['table.csv', 'csv', false],
    ['a b/Table.CSV.gz', 'csv', true],
  ])('reads %s as %s (gzip: %s)', (name, format, gzip) => {
    expect(describeFile(name)).toEqual({ format, gzip });
  });

  it.each(['reads.fa', 'reads.fq.bz2', 'table.tsv', 'csv', 'fastq.txt', 'reads.gz'])(
    'does not recognise %s',
    (name) => {
      expect(describeFile(name)).toBeUndefined();
    },
  );
});

describe('runJob', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'run-job-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives a byte-identical report for the same file from a file stream, a Readable and Uint8Array chunks', async () => {
    const file = path.join(dir, 'same.fq.gz');
    await writeFastq(file, { reads: 5_000, seed: 31, gzip: true, gzipMemberBytes: 100_000 });
    const fromFile = await runJob(createReadStream(file, { highWaterMark: 1 << 20 }), {
      name: 'incoming/same.fq.gz',
    });
    const bytes = await new Response(Readable.toWeb(createReadStream(file)) as ReadableStream).arrayBuffer();
    const fromChunks = await runJob(chunked(new Uint8Array(bytes), 3_333), { name: 'incoming/same.fq.gz' });
    const fromReadable = await runJob(Readable.from([Buffer.from(bytes)]), { name: 'incoming/same.fq.gz' });
    expect(JSON.stringify(fromChunks)).toBe(JSON.stringify(fromFile));
    expect(JSON.stringify(fromReadable)).toBe(JSON.stringify(fromFile));
    expect(fromFile.schemaVersion).toBe(RESULT_SCHEMA_VERSION);
    expect(Object.keys(fromFile)).toEqual(['schemaVersion', 'format', 'input', 'fastq']);
  });

  it('counts compressed and uncompressed bytes', async () => {
    const file = path.join(dir, 'sizes.csv.gz');
    const written = await writeCsv(file, { rows: 2_000, seed: 32, gzip: true });
    const report = await runJob(createReadStream(file), { name: file });
    expect(report.input).toEqual({
      name: file,
      gzip: true,
      bytes: written.bytes,
      uncompressedBytes: written.uncompressedBytes,
    });
    expect(report.csv?.rows).toBe(written.records);
  });

  it('detects gzip by its magic bytes whatever the name says', async () => {
    const file = path.join(dir, 'misnamed.fq');
    await writeFastq(file, { reads: 10, seed: 33, gzip: true });
    const report = await runJob(createReadStream(file), { name: file });
    expect(report.input.gzip).toBe(true);
    expect(report.fastq?.reads).toBe(10);
  });

  it('stops with JobAbortedError when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      runJob(chunked(fastqBuffer({ reads: 10 })), { name: 'x.fq', signal: controller.signal }),
    ).rejects.toBeInstanceOf(JobAbortedError);
  });

  for (const gzip of [false, true]) {
    it(`stops between chunks when aborted mid-stream and releases a stream source at once (gzip: ${gzip})`, async () => {
      const file = path.join(dir, `abort-stream-${gzip}.fq${gzip ? '.gz' : ''}`);
      await writeFastq(file, { reads: 50_000, seed: 34, gzip });
      const controller = new AbortController();
      const stream = createReadStream(file, { highWaterMark: 16_384 });
      let seen = 0;
      stream.on('data', () => {
        if (++seen === 3) controller.abort();
      });
      stream.pause();
      await expect(runJob(stream, { name: file, signal: controller.signal })).rejects.toBeInstanceOf(
        JobAbortedError,
      );
      expect(stream.destroyed).toBe(true);
    });

    it(`stops between chunks when aborted mid-stream and ends an iterable source (gzip: ${gzip})`, async () => {
      const file = path.join(dir, `abort-iterable-${gzip}.fq${gzip ? '.gz' : ''}`);
      await writeFastq(file, { reads: 50_000, seed: 35, gzip });
      const controller = new AbortController();
      let delivered = 0;
      let finished = false;
      async function* abortAfterThreeChunks(): AsyncGenerator<Uint8Array> {
        try {
          for await (const chunk of createReadStream(file, { highWaterMark: 16_384 })) {
            yield chunk as Buffer;
            if (++delivered === 3) controller.abort();
          }
        } finally {
          finished = true;
        }
      }
      await expect(
        runJob(abortAfterThreeChunks(), { name: file, signal: controller.signal }),
      ).rejects.toBeInstanceOf(JobAbortedError);
      expect(delivered).toBeLessThan(6);
      // A generator waiting on a read can only finish once that read completes.
      await vi.waitFor(() => expect(finished).toBe(true));
    });
  }

  it('is done with a chunk once it asks for the next, so a source may reuse one buffer', async () => {
    /** Hands out one buffer over and over, scribbling over it as soon as the next chunk is asked for. */
    async function* reusing(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
      const buffer = Buffer.alloc(size);
      for (let at = 0; at < data.length; at += size) {
        buffer.fill(0x21);
        const n = data.copy(buffer, 0, at, at + size);
        yield buffer.subarray(0, n);
        buffer.fill(0x7e);
      }
    }
    const inputs: [string, Buffer][] = [
      ['x.fq', fastqBuffer({ reads: 3_000, minLen: 1, maxLen: 300, seed: 36, crlf: true })],
      [
        'x.fq.gz',
        Buffer.concat([
          gzipSync(fastqBuffer({ reads: 2_000, seed: 37 })),
          gzipSync(fastqBuffer({ reads: 9, seed: 38 })),
        ]),
      ],
      ['x.csv', csvBuffer({ rows: 3_000, seed: 39 })],
      ['x.csv.gz', gzipSync(csvBuffer({ rows: 3_000, seed: 40 }))],
    ];
    for (const [name, data] of inputs) {
      const expected = JSON.stringify(await runJob(chunked(data, 1 << 20), { name }));
      for (const size of [997, 65_536]) {
        expect(
          JSON.stringify(await runJob(reusing(data, size), { name })),
          `${name} in ${size}-byte chunks`,
        ).toBe(expected);
      }
    }
  });

  it('reads a local file through one reused buffer', async () => {
    const file = path.join(dir, 'reused.fq.gz');
    await writeFastq(file, { reads: 20_000, seed: 41, gzip: true });
    const expected = await runJob(createReadStream(file), { name: file });
    expect(await runJob(fileChunks(file, 10_000), { name: file })).toEqual(expected);
    expect(await runJob(fileChunks(file), { name: file })).toEqual(expected);
  });

  it('passes through a failure of the source itself', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('@r1\nACGT\n+\nIIII\n');
      throw new Error('connection reset');
    }
    await expect(runJob(broken(), { name: 'x.fq' })).rejects.toThrow('connection reset');
  });
});
