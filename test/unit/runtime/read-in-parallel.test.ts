import { describe, expect, it } from 'vitest';
import { readInParallel } from '../../../src/runtime/execute.js';

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
