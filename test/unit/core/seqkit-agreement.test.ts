import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../../src/core/index.js';
import { writeFastq, type FastqOptions, type WriteOptions } from '../../../local/synthetic-inputs.js';
import { seqkitStats, seqkitVersion as findSeqkit } from '../../support/seqkit.js';
import { expectSeqkitAgreement } from './helpers.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/fastq');
const recorded = JSON.parse(readFileSync(path.join(FIXTURES, 'expected-seqkit.json'), 'utf8')) as {
  files: Record<string, Record<string, string>>;
};

async function statsOfFile(file: string) {
  const report = await runJob(createReadStream(file), { name: file });
  if (report.fastq === undefined) throw new Error('no FASTQ stats');
  return report.fastq;
}

describe('agreement with values recorded from seqkit stats -a -T', () => {
  it('has recorded values for the fixtures', () => {
    expect(Object.keys(recorded.files).length).toBeGreaterThanOrEqual(10);
  });

  for (const [file, seqkit] of Object.entries(recorded.files)) {
    it(`matches seqkit on ${file}`, async () => {
      expectSeqkitAgreement(await statsOfFile(path.join(FIXTURES, file)), seqkit);
    });
  }

  it('reports the full read length as Q1 and Q3 where seqkit prints half of it', async () => {
    const stats = await statsOfFile(path.join(FIXTURES, 'identical-lengths.fq'));
    expect(recorded.files['identical-lengths.fq']?.Q1).toBe('25.0');
    expect([stats.q1Length, stats.medianLength, stats.q3Length]).toEqual([50, 50, 50]);
  });
});

const seqkitVersion = findSeqkit();
if (seqkitVersion === undefined) {
  console.warn('skipping the live seqkit comparison: seqkit is not on PATH (apt-get install seqkit)');
}

describe.skipIf(seqkitVersion === undefined)(`live comparison with ${seqkitVersion ?? 'seqkit'}`, () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seqkit-live-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, FastqOptions & WriteOptions][] = [
    ['short reads of varying length', { reads: 20_001, minLen: 35, maxLen: 151, seed: 11 }],
    ['an even number of reads', { reads: 10_000, minLen: 50, maxLen: 60, seed: 12 }],
    ['gzip', { reads: 20_000, minLen: 100, maxLen: 150, seed: 13, gzip: true }],
    [
      'multi-member gzip',
      { reads: 30_000, minLen: 20, maxLen: 300, seed: 14, gzip: true, gzipMemberBytes: 1 << 20 },
    ],
    ['long reads spanning many chunks', { reads: 40, minLen: 1_000, maxLen: 400_000, seed: 15, nRate: 0.05 }],
    [
      'lowercase CRLF reads with the header repeated',
      { reads: 5_000, seed: 16, lowercase: true, crlf: true, repeatHeader: true },
    ],
    ['reads of one length', { reads: 999, minLen: 76, maxLen: 76, seed: 17 }],
    ['a single read', { reads: 1, minLen: 10, maxLen: 10, seed: 18 }],
  ];

  for (const [label, options] of cases) {
    it(`matches seqkit on every shared field for ${label}`, async () => {
      const file = path.join(dir, `${label.replace(/\W+/g, '-')}.fq${options.gzip ? '.gz' : ''}`);
      await writeFastq(file, options);
      expectSeqkitAgreement(await statsOfFile(file), seqkitStats(file));
    });
  }
});
