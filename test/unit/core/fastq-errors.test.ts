import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, runJob } from '../../../src/core/index.js';
import { fastqBuffer } from '../../../local/synthetic-inputs.js';
import { expectInputError, runOn } from './helpers.js';

const GOOD = '@r1\nACGT\n+\nIIII\n@r2\nGGCC\n+\n####\n';
const fastq = (text: string, chunkSize?: number) => runOn(text, 'x.fq', chunkSize ? { chunkSize } : {});

describe('malformed FASTQ', () => {
  it('fails a header line that does not start with @, naming line and record', async () => {
    await expectInputError(fastq(`${GOOD}r3\nACGT\n+\nIIII\n`), {
      code: 'FASTQ_BAD_HEADER',
      line: 9,
      record: 3,
      message: /line 9.*'r'/,
    });
  });

  it('fails a FASTA file on its first line', async () => {
    await expectInputError(fastq('>seq1\nACGT\n'), { code: 'FASTQ_BAD_HEADER', line: 1, record: 1 });
  });

  it('fails a blank line between records at the blank line', async () => {
    await expectInputError(fastq(`@r1\nACGT\n+\nIIII\n\n@r2\nAC\n+\nII\n`), {
      code: 'FASTQ_BAD_HEADER',
      line: 5,
      record: 2,
    });
  });

  it('fails a missing + separator with the line number', async () => {
    await expectInputError(fastq(`${GOOD}@r3\nACGT\nIIII\n@r4\n`), {
      code: 'FASTQ_MISSING_SEPARATOR',
      line: 11,
      record: 3,
    });
  });

  it('fails multi-line (wrapped) FASTQ at the first continuation line', async () => {
    await expectInputError(fastq('@r1\nACGT\nACGT\n+\nIIIIIIII\n'), {
      code: 'FASTQ_MISSING_SEPARATOR',
      line: 3,
    });
  });

  it('fails a quality line shorter than its sequence', async () => {
    await expectInputError(fastq(`${GOOD}@r3\nACGTA\n+\nIIII\n`), {
      code: 'FASTQ_LENGTH_MISMATCH',
      line: 12,
      record: 3,
      message: /5 bases, 4 qualities/,
    });
  });

  it('fails a quality line longer than its sequence', async () => {
    await expectInputError(fastq('@r1\nAC\n+\nIII\n'), { code: 'FASTQ_LENGTH_MISMATCH', line: 4, record: 1 });
  });

  it('fails a short quality line even when an LF sits where the full-length line would end', async () => {
    await expectInputError(fastq(`${GOOD}@r3\nACGT\n+\nII\n@\n@r4\nA\n+\nI\n`), {
      code: 'FASTQ_LENGTH_MISMATCH',
      line: 12,
      record: 3,
    });
  });

  it('fails a CR inside a quality line that has the right length', async () => {
    await expectInputError(fastq(`${GOOD}@r3\nACGT\n+\nI\rII\n`), {
      code: 'FASTQ_INVALID_QUALITY',
      line: 12,
      record: 3,
    });
  });

  it('fails a truncated FASTQ with the line number', async () => {
    await expectInputError(fastq(`${GOOD}@r3\nACGT\n`), { code: 'FASTQ_TRUNCATED', line: 10, record: 3 });
  });

  it('fails a FASTQ cut inside its last quality line as truncated', async () => {
    await expectInputError(fastq(`${GOOD}@r3\nACGT\n+\nII`), {
      code: 'FASTQ_TRUNCATED',
      line: 12,
      record: 3,
    });
  });

  it('fails a FASTQ cut right after a header', async () => {
    await expectInputError(fastq(`${GOOD}@r3`), { code: 'FASTQ_TRUNCATED', line: 9, record: 3 });
  });

  it('fails binary junk in a sequence, naming line, column and record', async () => {
    await expectInputError(fastq(`${GOOD}@r3\nAC\u0000T\n+\nIIII\n`), {
      code: 'FASTQ_INVALID_SEQUENCE',
      line: 10,
      record: 3,
      message: /byte 0x00 at line 10, column 3/,
    });
  });

  it('fails digits in a sequence', async () => {
    await expectInputError(fastq('@r1\nAC1T\n+\nIIII\n'), {
      code: 'FASTQ_INVALID_SEQUENCE',
      line: 2,
      record: 1,
    });
  });

  it('fails a quality character outside ! to ~', async () => {
    await expectInputError(fastq('@r1\nACGT\n+\nII I\n'), {
      code: 'FASTQ_INVALID_QUALITY',
      line: 4,
      record: 1,
      message: /byte 0x20/,
    });
    await expectInputError(fastq('@r1\nACGT\n+\nIII\u007f\n'), { code: 'FASTQ_INVALID_QUALITY', line: 4 });
    await expectInputError(fastq('@r1\nACGT\n+\nIII\u00e9\n'), { code: 'FASTQ_INVALID_QUALITY', line: 4 });
  });

  it('fails a CR inside a line, even when it falls at a chunk boundary', async () => {
    const text = '@r1\nAC\rGT\n+\nIIIII\n';
    for (const chunkSize of [1, 3, 7, 64]) {
      await expectInputError(fastq(text, chunkSize), { code: 'FASTQ_INVALID_SEQUENCE', line: 2, record: 1 });
    }
  });

  it('reports the first problem when a bad byte precedes a structural error in the same chunk', async () => {
    await expectInputError(fastq('@r1\nAC#T\n+\nIIII\nbad\n'), { code: 'FASTQ_INVALID_SEQUENCE', line: 2 });
  });

  it('finds the bad line in a large input whatever the chunk size', async () => {
    const good = fastqBuffer({ reads: 5_000, minLen: 100, maxLen: 100, seed: 3 });
    const text = `${good.toString('latin1')}@bad\nAC*T\n+\nIIII\n`;
    for (const chunkSize of [1 << 20, 65_536, 1_000]) {
      await expectInputError(fastq(text, chunkSize), {
        code: 'FASTQ_INVALID_SEQUENCE',
        line: 20_002,
        record: 5_001,
      });
    }
  });

  it('fails a line longer than the cap without buffering it', async () => {
    const piece = Buffer.alloc(1 << 20, 'A');
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('@huge\n');
      for (let i = 0; i <= MAX_LINE_BYTES / piece.length; i++) yield piece;
    }
    await expectInputError(runJob(endless(), { name: 'x.fq' }), {
      code: 'LINE_TOO_LONG',
      line: 2,
      record: 1,
    });
  });

  it('reports zero reads for an empty input, plain, blank lines only, or gzipped, as seqkit does', async () => {
    for (const report of [
      await fastq(''),
      await fastq('\n\r\n\n'),
      await runOn(gzipSync(Buffer.alloc(0)), 'x.fq.gz'),
    ]) {
      expect(report.fastq).toMatchObject({
        reads: 0,
        bases: 0,
        minLength: 0,
        maxLength: 0,
        meanLength: 0,
        n50: 0,
        gcPercent: 0,
        gaps: 0,
        q20Percent: 0,
        q30Percent: 0,
      });
    }
  });

  it('fails a truncated gzip', async () => {
    const gz = gzipSync(fastqBuffer({ reads: 1_000, seed: 1 }));
    await expectInputError(runOn(gz.subarray(0, gz.length - 100), 'x.fq.gz'), { code: 'GZIP_CORRUPT' });
  });

  it('fails a gzip with corrupt data', async () => {
    const gz = Buffer.from(gzipSync(fastqBuffer({ reads: 1_000, seed: 1 })));
    for (let i = 100; i < 140; i++) gz[i] = 0xff;
    await expectInputError(runOn(gz, 'x.fq.gz'), { code: 'GZIP_CORRUPT' });
  });

  it('fails a gzip member followed by junk', async () => {
    const gz = Buffer.concat([gzipSync(GOOD), Buffer.from('not gzip at all')]);
    await expectInputError(runOn(gz, 'x.fq.gz'), { code: 'GZIP_CORRUPT' });
  });

  it('fails a file whose name does not tell its format', async () => {
    await expectInputError(runOn(GOOD, 'reads.txt'), { code: 'UNKNOWN_FORMAT', message: /reads\.txt/ });
  });

  it('reads a file of any name when the format is forced', async () => {
    expect((await runOn(GOOD, 'reads.txt', { format: 'fastq' })).fastq?.reads).toBe(2);
  });
});
