import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFastqResult, type FastqResult } from '../../../src/cli/result-documents.js';
import { SEQKIT_STATS_COLUMNS, seqkitStatsRow, seqkitStatsTsv } from '../../../src/cli/seqkit-tsv.js';
import { fileChunks, runJob } from '../../../src/core/index.js';
import { resultDocument } from '../../support/result-documents.js';
import { seqkitVersion } from '../../support/seqkit.js';
import { runOn } from '../core/helpers.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/fastq');
const fixtures = readdirSync(FIXTURES)
  .filter((name) => /\.fq(?:\.gz)?$/.test(name))
  .sort();

async function fastqResult(
  report: Promise<Awaited<ReturnType<typeof runJob>>>,
  key: string,
): Promise<FastqResult> {
  const document = resultDocument(await report, key);
  if (!isFastqResult(document)) throw new Error('not a FASTQ result');
  return document;
}

const fixtureResult = (name: string) =>
  fastqResult(runJob(fileChunks(path.join(FIXTURES, name)), { name }), `incoming/${name}`);

describe('seqkit stats -a -T table', () => {
  it("has seqkit 2.3's header", () => {
    expect(SEQKIT_STATS_COLUMNS.join('\t')).toBe(
      'file\tformat\ttype\tnum_seqs\tsum_len\tmin_len\tavg_len\tmax_len\tQ1\tQ2\tQ3\tsum_gap\tN50\tQ20(%)\tQ30(%)\tGC(%)',
    );
  });

  it('writes a row per result with the object key as the file', async () => {
    const tsv = seqkitStatsTsv([await fixtureResult('iupac.fq'), await fixtureResult('crlf.fq')]);
    expect(tsv).toBe(
      `${SEQKIT_STATS_COLUMNS.join('\t')}\n` +
        'incoming/iupac.fq\tFASTQ\tDNA\t2\t35\t10\t17.5\t25\t10.0\t17.5\t25.0\t2\t25\t71.43\t71.43\t11.43\n' +
        'incoming/crlf.fq\tFASTQ\tDNA\t3\t28\t4\t9.3\t14\t7.0\t10.0\t12.0\t0\t14\t32.14\t17.86\t28.57\n',
    );
  });

  it('takes the file column from the function given', async () => {
    const row = seqkitStatsRow(await fixtureResult('crlf.fq'), (document) => `sample of ${document.job.key}`);
    expect(row.split('\t')[0]).toBe('sample of incoming/crlf.fq');
  });

  it('escapes a tab, CR or LF in a key so that the row stays one row of 16 fields', async () => {
    const document = await fastqResult(runOn('@a\nACGT\n+\nIIII\n', 'x.fq'), 'incoming/a\tb\r\nc.fq');
    const row = seqkitStatsRow(document);
    expect(row.split('\t')).toHaveLength(SEQKIT_STATS_COLUMNS.length);
    expect(row.split('\t')[0]).toBe('incoming/a\\tb\\r\\nc.fq');
  });

  it('leaves format and type empty for a FASTQ with no read, as seqkit does', async () => {
    const document = await fastqResult(runOn('', 'empty.fq'), 'incoming/empty.fq');
    expect(seqkitStatsRow(document)).toBe(
      'incoming/empty.fq\t\t\t0\t0\t0\t0.0\t0\t0.0\t0.0\t0.0\t0\t0\t0.00\t0.00\t0.00',
    );
  });
});

const seqkit = seqkitVersion();
describe.skipIf(seqkit === undefined)(`the table against ${seqkit ?? 'seqkit'} run on the fixtures`, () => {
  it('matches seqkit stats -a -T line for line, apart from the file column', async () => {
    const documents = await Promise.all(fixtures.map(fixtureResult));
    const theirs = execFileSync('seqkit', ['stats', '-a', '-T', ...fixtures], {
      cwd: FIXTURES,
      encoding: 'utf8',
    });
    const withoutFile = (tsv: string) =>
      tsv
        .trimEnd()
        .split('\n')
        .map((line) => line.split('\t').slice(1));
    const expected = withoutFile(theirs);
    // Where every read has one length seqkit prints half of it as Q1 and Q3 (docs/result-schema.md).
    for (const row of expected.slice(1)) {
      const [min, max] = [row[4], row[6]];
      if (min === max) [row[7], row[9]] = [`${min}.0`, `${min}.0`];
    }
    expect(withoutFile(seqkitStatsTsv(documents))).toEqual(expected);
  });
});
