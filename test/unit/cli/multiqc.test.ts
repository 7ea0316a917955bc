import { describe, expect, it } from 'vitest';
import { MULTIQC_TABLE_NAME, multiqcFiles, multiqcSampleName } from '../../../src/cli/multiqc.js';
import { isFastqResult, type FastqResult } from '../../../src/cli/result-documents.js';
import { SEQKIT_STATS_COLUMNS } from '../../../src/cli/seqkit-tsv.js';
import { resultDocument } from '../../support/result-documents.js';
import { runOn } from '../core/helpers.js';

async function fastqResult(key: string, reads = 1): Promise<FastqResult> {
  const document = resultDocument(await runOn('@r\nACGT\n+\nIIII\n'.repeat(reads), 'x.fq'), key);
  if (!isFastqResult(document)) throw new Error('not a FASTQ result');
  return document;
}

describe('MultiQC sample names', () => {
  it('joins the folders of the key with " | " and drops the upload prefix and the extension', () => {
    expect(multiqcSampleName('incoming/run1/S1_R1.fastq.gz')).toBe('run1 | S1_R1');
    expect(multiqcSampleName('incoming/S2.FQ')).toBe('S2');
  });

  it('gives one file name in two folders two sample names', () => {
    expect(multiqcSampleName('incoming/run1/S1.fq.gz')).not.toBe(multiqcSampleName('incoming/run2/S1.fq.gz'));
  });

  it('keeps other characters as they are', () => {
    expect(multiqcSampleName('incoming/é & <x>/a "b".fq')).toBe('é & <x> | a "b"');
  });
});

describe('MultiQC files', () => {
  it('writes one seqkit table with a row per result, the sample name as the file', async () => {
    const files = multiqcFiles([
      await fastqResult('incoming/run1/S1.fq', 2),
      await fastqResult('incoming/run2/S1.fq'),
    ]);
    expect(files.map((f) => f.name)).toEqual([MULTIQC_TABLE_NAME]);
    const [header, ...rows] = (files[0]?.content ?? '').trimEnd().split('\n');
    expect(header).toBe(SEQKIT_STATS_COLUMNS.join('\t'));
    expect(rows.map((row) => row.split('\t').slice(0, 4))).toEqual([
      ['run1 | S1', 'FASTQ', 'DNA', '2'],
      ['run2 | S1', 'FASTQ', 'DNA', '1'],
    ]);
  });

  it('numbers keys that would give one sample name, so that MultiQC keeps them all', async () => {
    const keys = ['incoming/S1.fq', 'incoming/S1.fastq.gz', 'incoming/S1.FQ'];
    const [table] = multiqcFiles(await Promise.all(keys.map((key) => fastqResult(key))));
    const names = (table?.content ?? '')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((row) => row.split('\t')[0]);
    expect(names).toEqual(['S1', 'S1 (2)', 'S1 (3)']);
  });

  it('writes nothing when there is no FASTQ result', () => {
    expect(multiqcFiles([])).toEqual([]);
  });
});
