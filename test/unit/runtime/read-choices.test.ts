import { describe, expect, it } from 'vitest';
import { parseOnThreadFromS3, readInParallel } from '../../../src/runtime/execute.js';

describe('readInParallel', () => {
  it('reads only a plain FASTQ with several connections', () => {
    expect(readInParallel('incoming/run/reads.fastq')).toBe(true);
    expect(readInParallel('incoming/run/READS.FQ')).toBe(true);
    expect(readInParallel('incoming/run/reads.fq.gz')).toBe(false);
    expect(readInParallel('incoming/run/table.csv')).toBe(false);
    expect(readInParallel('incoming/run/table.csv.gz')).toBe(false);
  });

  it('takes a forced format over the name, and gzip from the name', () => {
    expect(readInParallel('incoming/run/reads.txt', 'fastq')).toBe(true);
    expect(readInParallel('incoming/run/reads.fq', 'csv')).toBe(false);
    expect(readInParallel('incoming/run/reads.txt.gz', 'fastq')).toBe(false);
    expect(readInParallel('incoming/run/unknown.bin')).toBe(false);
  });
});

describe('parseOnThreadFromS3', () => {
  it('leaves a FASTQ, plain or gzipped, to the core, and profiles a CSV, plain or gzipped, on the main thread', () => {
    expect(parseOnThreadFromS3('incoming/run/reads.fq.gz')).toBe(true);
    expect(parseOnThreadFromS3('incoming/run/reads.fastq')).toBe(true);
    expect(parseOnThreadFromS3('incoming/run/table.csv')).toBe(false);
    expect(parseOnThreadFromS3('incoming/run/TABLE.CSV.GZ')).toBe(false);
  });

  it('takes a forced format over the name', () => {
    expect(parseOnThreadFromS3('incoming/run/table.csv', 'fastq')).toBe(true);
    expect(parseOnThreadFromS3('incoming/run/reads.fq.gz', 'csv')).toBe(false);
    expect(parseOnThreadFromS3('incoming/run/unknown.bin')).toBe(true);
  });
});
