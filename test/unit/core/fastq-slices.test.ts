import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSlices } from '../../../src/core/fastq-file-slices.js';
import {
  countFastq,
  fastqInSlices,
  findRecordStart,
  type SliceCounts,
  type SlicesSource,
} from '../../../src/core/fastq-slices.js';
import type { ByteRange } from '../../../src/core/file-source.js';
import { FastqParser } from '../../../src/core/fastq.js';
import {
  InputError,
  JobAbortedError,
  fileChunks,
  runJob,
  runJobInSlices,
  runJobOnFile,
} from '../../../src/core/index.js';
import { fastqBuffer } from '../../../local/synthetic-inputs.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fastq-slices-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
async function fileOf(data: Buffer | string): Promise<string> {
  const file = path.join(dir, `input-${files++}.fq`);
  await writeFile(file, data);
  return file;
}

/** The statistics one parser gives reading `data` from the start, or its error. */
function oneReading(data: Buffer): unknown {
  const parser = new FastqParser();
  try {
    for (let at = 0; at < data.length; at += 1 << 20) parser.push(data.subarray(at, at + (1 << 20)));
    return parser.finish();
  } catch (error) {
    return error;
  }
}

/** Records whose every quality line begins with `@` (Q31), the character a header begins with. */
function atQualities(reads: number): string {
  let text = '';
  for (let i = 0; i < reads; i++)
    text += `@read${i}\nACGT${'ACGT'.repeat(i % 7)}\n+\n@${'@'.repeat(3 + 4 * (i % 7))}\n`;
  return text;
}

describe('findRecordStart', () => {
  it('finds the first header after the first line feed, not a quality line that begins with @', () => {
    const text = atQualities(4);
    // From inside the first record's quality line: the next line that starts a record is read1's header.
    const from = text.indexOf('\n@@@') + 2;
    const at = findRecordStart(Buffer.from(text.slice(from)));
    expect(text.slice(from + at).startsWith('@read1\n')).toBe(true);
    // From the header line itself (the first line feed is the one ending it): the next header.
    expect(text.slice(findRecordStart(Buffer.from(text))).startsWith('@read1\n')).toBe(true);
  });

  it('finds none where the line after next is not wholly there to look at', () => {
    expect(findRecordStart(Buffer.from('xx\n@r\nACGT\n'))).toBe(-1);
    expect(findRecordStart(Buffer.from('xx\n@r\nACGT'))).toBe(-1);
    expect(findRecordStart(Buffer.from('no line feed at all'))).toBe(-1);
    expect(findRecordStart(Buffer.from('xx\n@r\nACGT\n+\n'))).toBe(3);
  });
});

describe('FastqParser.merge', () => {
  it('gives the statistics of one reading from parsers that read the records between them', () => {
    const data = Buffer.concat([
      fastqBuffer({ reads: 3_000, seed: 81, minLen: 1, maxLen: 300 }),
      // Reads past the histogram's dense range (65,536).
      fastqBuffer({ reads: 3, seed: 82, minLen: 70_000, maxLen: 90_000 }),
      fastqBuffer({ reads: 500, seed: 83 }),
    ]);
    const whole = oneReading(data);
    for (const fraction of [0.001, 0.3, 0.5, 0.9, 0.9995]) {
      // A record's start: every fourth line, counted from the start.
      const lines =
        data
          .subarray(0, Math.floor(data.length * fraction))
          .toString('latin1')
          .split('\n').length - 1;
      let cut = 0;
      for (let line = 0; line < lines - (lines % 4); line++) cut = data.indexOf(10, cut) + 1;
      const first = new FastqParser();
      first.push(data.subarray(0, cut));
      expect(first.atRecordStart).toBe(true);
      const second = new FastqParser();
      second.push(data.subarray(cut));
      second.finish();
      first.merge(second.state());
      const merged = first.finish();
      expect(JSON.stringify(merged), `cut at ${fraction}`).toBe(JSON.stringify(whole));
    }
  });
});

describe('a plain FASTQ file read in two halves', () => {
  it.each([
    ['short reads', fastqBuffer({ reads: 20_000, seed: 84 })],
    [
      'reads of any length, CRLF line ends',
      fastqBuffer({ reads: 5_000, seed: 85, minLen: 0, maxLen: 400, crlf: true }),
    ],
    ['quality lines that begin with @', Buffer.from(atQualities(30_000))],
    ['no line feed after the last record', Buffer.from(atQualities(30_001).slice(0, -1))],
    ['blank lines after the last record', Buffer.from(`${atQualities(30_000)}\n\n`)],
  ])('gives the statistics of one reading: %s', async (_, data) => {
    const halves = await fastqInSlices(fileSlices(await fileOf(data), data.length));
    expect(halves, 'read in halves').toBeDefined();
    expect(JSON.stringify(halves)).toBe(JSON.stringify(oneReading(data)));
  });

  it('leaves the file to one reading from the start wherever a half fails or ends out of step', async () => {
    const data = Buffer.from(atQualities(40_000));
    const middle = data.indexOf('\n@read', data.length / 2) + 1;
    const broken: [string, Buffer][] = [
      [
        'a bad record in the first half',
        Buffer.from(data.toString('latin1').replace('@read100\n', '@read100\n!\n')),
      ],
      [
        'a bad record in the second half',
        Buffer.from(data.toString('latin1').replace('@read39000\n', 'read39000\n')),
      ],
      [
        'a blank line right before the middle record',
        Buffer.concat([data.subarray(0, middle), Buffer.from('\n'), data.subarray(middle)]),
      ],
      ['a record cut short at the end', data.subarray(0, data.length - 3)],
      [
        'a record with three lines before the middle',
        Buffer.concat([data.subarray(0, middle), Buffer.from('@x\nAC\n+\n'), data.subarray(middle)]),
      ],
    ];
    for (const [fault, bad] of broken) {
      expect(oneReading(bad), fault).toBeInstanceOf(InputError);
      expect(await fastqInSlices(fileSlices(await fileOf(bad), bad.length)), fault).toBeUndefined();
    }
  });

  it('finds no middle record in a file of one record, and leaves it to one reading', async () => {
    const data = Buffer.from(`@r\n${'A'.repeat(3_000_000)}\n+\n${'I'.repeat(3_000_000)}\n`);
    expect(await fastqInSlices(fileSlices(await fileOf(data), data.length))).toBeUndefined();
  });
});

describe('runJobOnFile', () => {
  /** Over the threshold at which a file is read in halves. */
  const large = fastqBuffer({ bytes: 17 << 20, seed: 86 });

  it('reports what a stream of the file reports, byte for byte', async () => {
    const file = await fileOf(large);
    // Read in halves, not left to a stream.
    expect(await fastqInSlices(fileSlices(file, large.length))).toBeDefined();
    const expected = await runJob(fileChunks(file), { name: 'x.fq', parseOnThread: false });
    expect(JSON.stringify(await runJobOnFile(file, { name: 'x.fq' }))).toBe(JSON.stringify(expected));
    // And with one CPU's worth of threads, read as a stream.
    expect(await runJobOnFile(file, { name: 'x.fq', parseOnThread: false })).toEqual(expected);
  });

  it('fails with the error one reading gives, named at the same line and record', async () => {
    const text = large.toString('latin1');
    const lateRecord = text.lastIndexOf('\n@', text.length - 10_000) + 1;
    const bad = Buffer.from(
      `${text.slice(0, lateRecord)}@bad\nACGT\n-\nIIII\n${text.slice(lateRecord)}`,
      'latin1',
    );
    const file = await fileOf(bad);
    const expected = await runJob(fileChunks(file), { name: 'x.fq', parseOnThread: false }).catch(
      (e: unknown) => e,
    );
    const error = await runJobOnFile(file, { name: 'x.fq' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const fields = (e: InputError) => ({ message: e.message, code: e.code, line: e.line, record: e.record });
    expect(fields(error as InputError)).toEqual(fields(expected as InputError));
  });

  it('leaves a gzipped file to a stream, whatever its name says', async () => {
    const gzipped = gzipSync(large, { level: 1 });
    const file = await fileOf(gzipped);
    // Its first half fails at its first byte.
    expect(await fastqInSlices(fileSlices(file, gzipped.length))).toBeUndefined();
    const expected = await runJob(fileChunks(file), { name: 'x.fq' });
    expect(expected.input.gzip).toBe(true);
    expect(await runJobOnFile(file, { name: 'x.fq' })).toEqual(expected);
    expect(await runJobOnFile(file, { name: 'x.fq.gz' })).toEqual({
      ...expected,
      input: { ...expected.input, name: 'x.fq.gz' },
    });
  });

  it('reads a small file as a stream, as runJob does', async () => {
    const small = fastqBuffer({ reads: 100, seed: 87 });
    const file = await fileOf(small);
    expect(await runJobOnFile(file, { name: 'x.fq' })).toEqual(
      await runJob(fileChunks(file), { name: 'x.fq' }),
    );
  });
});

const data = Buffer.from(atQualities(20_000));

/**
 * `data` as a source of `slices` slices counted here, or by `countSlice` where it answers; the
 * signals each slice was given are kept.
 */
function memorySource(
  countSlice: (index: number, signal: AbortSignal) => Promise<SliceCounts | undefined> | undefined = () =>
    undefined,
  slices = 2,
  bytes: Buffer = data,
  paysOnOneCpu = false,
) {
  const signals: AbortSignal[] = [];
  async function* read(range: ByteRange) {
    yield bytes.subarray(range.start, range.end);
  }
  const source: SlicesSource = {
    size: bytes.length,
    slices,
    paysOnOneCpu,
    read,
    count: (index, range, signal) => {
      signals.push(signal);
      return countSlice(index, signal) ?? countFastq(read(range), { toEnd: range.end === bytes.length });
    },
  };
  return { source, signals };
}

describe('fastqInSlices, whatever the source', () => {
  /** Never answers until its signal aborts, then fails as an aborted request does. */
  const untilAborted = (signal: AbortSignal) =>
    new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

  it.each([2, 3, 4, 7])(
    'merges the counts of %i slices counted anywhere into one reading',
    async (slices) => {
      const ranges: ByteRange[] = [];
      const { source } = memorySource(undefined, slices);
      const count = source.count.bind(source);
      source.count = (index, range, signal) => {
        ranges[index] = range;
        return count(index, range, signal);
      };
      expect(JSON.stringify(await fastqInSlices(source))).toBe(JSON.stringify(oneReading(data)));
      // Contiguous, from the start to the end, each cut where a record starts.
      expect(ranges).toHaveLength(slices);
      expect(ranges[0]?.start).toBe(0);
      expect(ranges.at(-1)?.end).toBe(data.length);
      for (let i = 1; i < slices; i++) {
        expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
        expect(data.toString('latin1', ranges[i]!.start, ranges[i]!.start + 5)).toBe('@read');
      }
    },
  );

  it('leaves an input too short for its slices to one reading', async () => {
    // Two records, ten slices: two offsets find the same record.
    const { source, signals } = memorySource(undefined, 10, Buffer.from(atQualities(2)));
    expect(await fastqInSlices(source)).toBeUndefined();
    expect(signals).toHaveLength(0);
  });

  it('fails with a slice that fails for another reason than its input, and stops the others', async () => {
    const { source, signals } = memorySource(
      (index, signal) => (index === 2 ? Promise.reject(new Error('connection reset')) : untilAborted(signal)),
      4,
    );
    await expect(fastqInSlices(source)).rejects.toThrow('connection reset');
    expect(signals).toHaveLength(4);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('gives up, stopping the others, when a slice is not FASTQ', async () => {
    const { source, signals } = memorySource((index, signal) =>
      index === 0 ? untilAborted(signal) : Promise.resolve(undefined),
    );
    expect(await fastqInSlices(source)).toBeUndefined();
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('fails with JobAbortedError when the job is aborted', async () => {
    const { source } = memorySource((_, signal) => untilAborted(signal));
    const job = new AbortController();
    const run = fastqInSlices(source, job.signal);
    setImmediate(() => job.abort());
    await expect(run).rejects.toBeInstanceOf(JobAbortedError);
  });
});

describe('runJobInSlices without a second CPU', () => {
  const reads = fastqBuffer({ bytes: 17 << 20, seed: 7 });

  it('reads in slices a source whose slices pay on one CPU (connections of their own), all here', async () => {
    const { source, signals } = memorySource(undefined, 4, reads, true);
    const report = await runJobInSlices(source, { name: 'x.fq', parseOnThread: false });
    expect(signals).toHaveLength(4);
    expect(JSON.stringify(report)).toBe(
      JSON.stringify(await runJob(fileChunks(await fileOf(reads)), { name: 'x.fq', parseOnThread: false })),
    );
  });

  it("leaves to a stream a source whose slices only add a parser (a file's)", async () => {
    const { source, signals } = memorySource(undefined, 2, reads, false);
    expect(await runJobInSlices(source, { name: 'x.fq', parseOnThread: false })).toBeUndefined();
    expect(signals).toHaveLength(0);
    expect(await runJobInSlices(source, { name: 'x.fq', parseOnThread: true })).toBeDefined();
  });
});
