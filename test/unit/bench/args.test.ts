import { describe, expect, it } from 'vitest';
import { parseBenchArgs, SECTIONS } from '../../../bench/lib/args.js';

describe('parseBenchArgs', () => {
  it('runs every section three times by default', () => {
    expect(parseBenchArgs([])).toEqual({
      quick: false,
      sections: [...SECTIONS],
      runs: 3,
      calibrate: false,
      help: false,
    });
  });

  it('takes --quick, --runs, --calibrate', () => {
    const o = parseBenchArgs(['--quick', '--runs', '5', '--calibrate']);
    expect(o).toMatchObject({ quick: true, runs: 5, calibrate: true });
  });

  it('keeps the sections --only names, in the usual order, comma-separated or repeated', () => {
    expect(parseBenchArgs(['--only', 'csv,fastq']).sections).toEqual(['fastq', 'csv']);
    expect(parseBenchArgs(['--only', 's3', '--only', 'gzip']).sections).toEqual(['gzip', 's3']);
  });

  it('rejects an unknown section by name', () => {
    expect(() => parseBenchArgs(['--only', 'fasta'])).toThrowError(
      /--only takes fastq, gzip, csv, s3, bundle, clouds; not "fasta"/,
    );
  });

  it('rejects a run count that is not a small whole number', () => {
    for (const runs of ['0', '2.5', 'x', '51']) {
      expect(() => parseBenchArgs(['--runs', runs])).toThrowError(
        /--runs must be a whole number from 1 to 50/,
      );
    }
  });

  it('rejects unknown options', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrowError(/Unknown option '--fast'/);
  });
});
