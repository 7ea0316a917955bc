import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { THREADS } from '../../../contract/names.js';
import { bundleFunction } from '../../../lib/bundling.js';
import { InputError, JobAbortedError, runJob, type RunJobOptions } from '../../../src/core/index.js';
import { csvBuffer, fastqBuffer } from '../../../local/synthetic-inputs.js';
import { chunked } from './helpers.js';

const fastq = fastqBuffer({ reads: 20_000, seed: 71 });
const csv = csvBuffer({ rows: 5_000, seed: 72 });

/** The report of `data` parsed on a thread and on this one. */
async function bothWays(data: Buffer, options: Omit<RunJobOptions, 'parseOnThread'>, size = 65_536) {
  return Promise.all(
    [true, false].map((parseOnThread) => runJob(chunked(data, size), { ...options, parseOnThread })),
  );
}

describe('parsing on a thread of its own', () => {
  it.each([
    ['plain FASTQ', fastq, 'reads.fq'],
    ['gzipped FASTQ', gzipSync(fastq), 'reads.fq.gz'],
    ['CSV', csv, 'table.csv'],
    ['gzipped CSV', gzipSync(csv), 'table.csv.gz'],
  ])('gives the same report as parsing here for %s', async (_, data, name) => {
    const [threaded, here] = await bothWays(data, { name }, 7_919);
    expect(threaded).toEqual(here);
    expect(JSON.stringify(threaded)).toBe(JSON.stringify(here));
  });

  it('fails with the same InputError, code and position as parsing here', async () => {
    const broken = Buffer.concat([fastq.subarray(0, 3_000_000), Buffer.from('@bad\nACGT\n-\nIIII\n'), fastq]);
    const [threaded, here] = await Promise.all(
      [true, false].map((parseOnThread) =>
        runJob(chunked(broken, 65_536), { name: 'reads.fq', parseOnThread }).catch((error: unknown) => error),
      ),
    );
    expect(threaded).toBeInstanceOf(InputError);
    expect(here).toBeInstanceOf(InputError);
    const fields = (e: InputError) => ({ message: e.message, code: e.code, line: e.line, record: e.record });
    expect(fields(threaded as InputError)).toEqual(fields(here as InputError));
  });

  it('fails a gzipped FASTQ whose CRC-32 is wrong as corrupt, before the parser ends, as zlib does', async () => {
    const wrongCrc = (data: Buffer): Buffer => {
      const gz = gzipSync(data);
      gz.writeUInt32LE((gz.readUInt32LE(gz.length - 8) ^ 0x10) >>> 0, gz.length - 8);
      return gz;
    };
    // The second ends inside a record: the parser's own error would come at its end.
    for (const data of [fastq, fastq.subarray(0, fastq.length - 5)]) {
      const errors = await Promise.all(
        [true, false].map((parseOnThread) =>
          runJob(chunked(wrongCrc(data), 65_536), { name: 'reads.fq.gz', parseOnThread }).catch(
            (error: unknown) => error,
          ),
        ),
      );
      for (const error of errors) {
        expect(error).toBeInstanceOf(InputError);
        expect(error).toMatchObject({
          code: 'GZIP_CORRUPT',
          message: expect.stringMatching(/incorrect data check/),
        });
      }
    }
    // With the right CRC-32, the truncated record is what is reported, on both.
    const truncated = gzipSync(fastq.subarray(0, fastq.length - 5));
    for (const parseOnThread of [true, false]) {
      const error = await runJob(chunked(truncated, 65_536), { name: 'reads.fq.gz', parseOnThread }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'FASTQ_TRUNCATED' });
    }
  });

  it('stops reading the source when the thread fails on bad input', async () => {
    let finished = false;
    let delivered = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield Buffer.from('not a FASTQ file\n');
        for (;;) {
          delivered++;
          yield Buffer.alloc(65_536, 'A');
        }
      } finally {
        finished = true;
      }
    }
    await expect(runJob(source(), { name: 'reads.fq', parseOnThread: true })).rejects.toBeInstanceOf(
      InputError,
    );
    await vi.waitFor(() => expect(finished).toBe(true));
    expect(delivered).toBeLessThan(1_000);
  });

  it('stops with JobAbortedError when aborted, and ends the source', async () => {
    const controller = new AbortController();
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        let delivered = 0;
        for await (const chunk of chunked(fastq, 8_192)) {
          yield chunk;
          if (++delivered === 20) controller.abort();
        }
      } finally {
        finished = true;
      }
    }
    await expect(
      runJob(source(), { name: 'reads.fq', parseOnThread: true, signal: controller.signal }),
    ).rejects.toBeInstanceOf(JobAbortedError);
    await vi.waitFor(() => expect(finished).toBe(true));
  });

  it('passes on a failure of the source', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield fastq.subarray(0, 100_000);
      throw new Error('connection reset');
    }
    await expect(runJob(broken(), { name: 'reads.fq', parseOnThread: true })).rejects.toThrow(
      'connection reset',
    );
  });
});

describe('the parse thread in a bundle', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'parse-thread-bundle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is built beside a bundle that runs jobs, which starts it from there', async () => {
    const entry = path.join(dir, 'entry.ts');
    const core = path.resolve(import.meta.dirname, '../../../src/core/index.ts');
    await writeFile(
      entry,
      `import { gzipSync } from 'node:zlib';
import { runJob } from ${JSON.stringify(core)};
const reads = Buffer.from('@r\\nACGT\\n+\\nIIII\\n'.repeat(100_000));
const report = await runJob([gzipSync(reads)], { name: 'reads.fq.gz', parseOnThread: true });
console.log(JSON.stringify({ reads: report.fastq?.reads }));
`,
    );
    const outfile = await bundleFunction(process.cwd(), entry, path.join(dir, 'job.mjs'), { runsJobs: true });
    await expect(
      import('node:fs/promises').then((fs) => fs.stat(path.join(dir, THREADS.parse.bundle))),
    ).resolves.toBeTruthy();
    const { stdout } = await promisify(execFile)(process.execPath, [outfile]);
    expect(JSON.parse(stdout)).toEqual({ reads: 100_000 });
  });
});

describe('a CSV profiled on two threads', () => {
  it('keeps the columns in their order, whatever their number', async () => {
    for (const columns of [1, 2, 3, 8]) {
      const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(',');
      const rows = Array.from({ length: 500 }, (_, r) =>
        Array.from({ length: columns }, (_, i) => String(r * (i + 1))).join(','),
      );
      const data = Buffer.from([header, ...rows, ''].join('\n'));
      const [threaded, here] = await bothWays(data, { name: 't.csv' }, 1_000);
      expect(threaded).toEqual(here);
      expect(threaded?.csv?.columnProfiles.map((c) => c.name)).toEqual(header.split(','));
    }
  });
});
