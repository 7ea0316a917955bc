import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FastqStats } from '../../../src/core/report.js';
import { fastqBuffer, fastqRecords, type FastqOptions } from '../../../local/synthetic-inputs.js';
import { fastqStatsOf, runOn } from './helpers.js';

/** Statistics computed the slow, obvious way: every length kept and sorted. */
function naiveStats(records: { seq: string; qual: string }[]): FastqStats {
  const lengths = records.map((r) => r.seq.length).sort((a, b) => a - b);
  const bases = lengths.reduce((a, b) => a + b, 0);
  const medianOf = (xs: number[]): number => {
    const mid = Math.floor(xs.length / 2);
    return xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
  };
  const half = Math.ceil(lengths.length / 2);
  let acc = 0;
  let n50 = 0;
  for (let i = lengths.length - 1; i >= 0; i--) {
    acc += lengths[i] as number;
    if (2 * acc >= bases) {
      n50 = lengths[i] as number;
      break;
    }
  }
  let gc = 0;
  let n = 0;
  let gaps = 0;
  let q20 = 0;
  let q30 = 0;
  let qsum = 0;
  for (const { seq, qual } of records) {
    for (const c of seq.toUpperCase()) {
      if (c === 'G' || c === 'C') gc++;
      if (c === 'N') n++;
      if (c === '-' || c === '.') gaps++;
    }
    for (let i = 0; i < qual.length; i++) {
      const q = qual.charCodeAt(i) - 33;
      if (q >= 20) q20++;
      if (q >= 30) q30++;
      qsum += q;
    }
  }
  return {
    reads: lengths.length,
    bases,
    minLength: lengths[0] as number,
    maxLength: lengths[lengths.length - 1] as number,
    meanLength: bases / lengths.length,
    q1Length: medianOf(lengths.slice(0, half)),
    medianLength: medianOf(lengths),
    q3Length: medianOf(lengths.slice(lengths.length - half)),
    n50,
    gcPercent: (gc / bases) * 100,
    nPercent: (n / bases) * 100,
    gaps,
    q20Percent: (q20 / bases) * 100,
    q30Percent: (q30 / bases) * 100,
    meanQuality: qsum / bases,
  };
}

function expectClose(actual: FastqStats, expected: FastqStats): void {
  for (const [key, value] of Object.entries(expected)) {
    expect(actual[key as keyof FastqStats], key).toBeCloseTo(value, 9);
  }
}

const record = (name: string, seq: string, qual: string, eol = '\n'): string =>
  `@${name}${eol}${seq}${eol}+${eol}${qual}${eol}`;

describe('FASTQ statistics', () => {
  const variants: [string, FastqOptions][] = [
    ['short reads', { reads: 3_001, minLen: 30, maxLen: 151, seed: 1 }],
    ['an even number of reads', { reads: 2_000, minLen: 10, maxLen: 20, seed: 2 }],
    ['N-rich reads', { reads: 500, minLen: 50, maxLen: 100, seed: 3, nRate: 0.3 }],
    ['reads longer than the dense length table', { reads: 25, minLen: 60_000, maxLen: 90_000, seed: 4 }],
  ];
  for (const [label, options] of variants) {
    it(`computes the same statistics as a naive sort-everything computation for ${label}`, async () => {
      expectClose(await fastqStatsOf(fastqBuffer(options)), naiveStats(fastqRecords(options)));
    });
  }

  it('gives the same numbers whatever the chunk boundaries', async () => {
    const data = fastqBuffer({ reads: 300, minLen: 1, maxLen: 40, seed: 5, crlf: true, repeatHeader: true });
    const whole = await fastqStatsOf(data, { chunkSize: data.length });
    for (const sizes of [1, 2, 3, 7, 64, [1, 5, 2, 13, 4096]]) {
      expect(await fastqStatsOf(data, { chunkSize: sizes })).toEqual(whole);
    }
  });

  it('strips CR from CRLF line ends', async () => {
    const stats = await fastqStatsOf(record('a', 'ACGT', 'IIII', '\r\n') + record('b', 'GG', '##', '\r\n'));
    expect(stats).toMatchObject({ reads: 2, bases: 6, minLength: 2, maxLength: 4, gcPercent: (4 / 6) * 100 });
  });

  it('accepts a last line without a final newline', async () => {
    const text = record('a', 'ACGT', 'IIII') + '@b\nGGGC\n+\n#5?I';
    expect(await fastqStatsOf(text)).toMatchObject({ reads: 2, bases: 8 });
  });

  it('counts lowercase bases like uppercase ones', async () => {
    const upper = await fastqStatsOf(record('a', 'ACGTNNGC', 'IIIIIIII'));
    const lower = await fastqStatsOf(record('a', 'acgtnngc', 'IIIIIIII'));
    expect(lower).toEqual(upper);
    expect(lower.gcPercent).toBe(50);
    expect(lower.nPercent).toBe(25);
  });

  it('counts the gap characters - and . as part of the bases, as seqkit does', async () => {
    const stats = await fastqStatsOf(record('a', 'AC-GT.', 'IIIIII') + record('b', '..', '##'));
    expect(stats).toMatchObject({ bases: 8, gaps: 4 });
  });

  it('reads the full Phred+33 range from ! (Q0) to ~ (Q93)', async () => {
    let qual = '';
    for (let c = 33; c <= 126; c++) qual += String.fromCharCode(c);
    const stats = await fastqStatsOf(record('q', 'A'.repeat(qual.length), qual));
    expect(stats.meanQuality).toBe(93 / 2);
    expect(stats.q20Percent).toBe((74 / 94) * 100);
    expect(stats.q30Percent).toBe((64 / 94) * 100);
  });

  it('accepts a + line that repeats the header', async () => {
    expect(await fastqStatsOf('@r1 x\nACGT\n+r1 x\nIIII\n')).toMatchObject({ reads: 1, bases: 4 });
  });

  it('accepts reads of length zero', async () => {
    expect(await fastqStatsOf(record('empty', '', '') + record('a', 'AC', 'II'))).toMatchObject({
      reads: 2,
      minLength: 0,
      maxLength: 2,
    });
  });

  it('accepts quality lines that start with @ or +', async () => {
    expect(await fastqStatsOf(record('a', 'ACG', '@II') + record('b', 'ACG', '+II'))).toMatchObject({
      reads: 2,
    });
  });

  it('reports Q1, median and Q3 equal to the length when all reads have the same length', async () => {
    const stats = await fastqStatsOf(fastqBuffer({ reads: 101, minLen: 150, maxLen: 150, seed: 6 }));
    expect([stats.q1Length, stats.medianLength, stats.q3Length, stats.n50]).toEqual([150, 150, 150, 150]);
  });

  it('ignores blank lines at the end of the input', async () => {
    expect(await fastqStatsOf(record('a', 'ACGT', 'IIII') + '\n\r\n\n')).toMatchObject({ reads: 1 });
  });

  it('handles a read much longer than a chunk without holding it', async () => {
    const length = 3 * (1 << 20) + 17;
    const text = `@long\n${'ACGT'.repeat(length / 4 + 1).slice(0, length)}\n+\n${'I'.repeat(length)}\n`;
    const stats = await fastqStatsOf(text, { chunkSize: 1 << 20 });
    expect(stats).toMatchObject({ reads: 1, bases: length, n50: length, q30Percent: 100 });
  });

  it('gives the same report for plain and gzip input, apart from the input section', async () => {
    const data = fastqBuffer({ reads: 2_000, seed: 7 });
    const plain = await runOn(data, 'x.fq');
    const gz = await runOn(gzipSync(data), 'x.fq.gz', { chunkSize: 4096 });
    expect(gz.fastq).toEqual(plain.fastq);
    expect(gz.input).toMatchObject({ gzip: true, uncompressedBytes: data.length });
    expect(plain.input).toEqual({
      name: 'x.fq',
      gzip: false,
      bytes: data.length,
      uncompressedBytes: data.length,
    });
  });

  it('reads multi-member gzip (concatenated gzip streams) as one input', async () => {
    const a = fastqBuffer({ reads: 100, seed: 8 });
    const b = fastqBuffer({ reads: 50, seed: 9 });
    const report = await runOn(Buffer.concat([gzipSync(a), gzipSync(b)]), 'x.fq.gz');
    expect(report.fastq?.reads).toBe(150);
    expect(report.input.uncompressedBytes).toBe(a.length + b.length);
  });
});
