import { describe, expect, it } from 'vitest';
import { agreeCsv, agreeFastq, parseMillerSummary, parseSeqkitTable } from '../../../bench/lib/agreement.js';

const SEQKIT = [
  'file\tformat\ttype\tnum_seqs\tsum_len\tmin_len\tavg_len\tmax_len',
  'x.fq\tFASTQ\tDNA\t255614\t31948612\t100\t125.0\t150',
].join('\n');

describe('FASTQ agreement with seqkit', () => {
  it('reads seqkit -T output by its header', () => {
    expect(parseSeqkitTable(SEQKIT)[0]).toMatchObject({ num_seqs: '255614', sum_len: '31948612' });
  });

  it('agrees when reads and bases match', () => {
    expect(agreeFastq({ reads: 255614, bases: 31948612 }, SEQKIT)).toBe('yes (reads, bases)');
  });

  it('names what differs', () => {
    expect(agreeFastq({ reads: 255613, bases: 31948612 }, SEQKIT)).toBe('no: reads 255613 vs 255614');
    expect(agreeFastq({ reads: 1, bases: 1 }, SEQKIT.split('\n')[0] as string)).toBe(
      'no: seqkit printed no row',
    );
  });
});

describe('CSV agreement', () => {
  const ours = { rows: 3, nullCounts: { id: 0, score: 1 } };

  it("reads Miller's summary JSON as rows and null counts", () => {
    const json = JSON.stringify([
      { field_name: 'id', count: 3, null_count: 0 },
      { field_name: 'score', count: 3, null_count: 0 },
    ]);
    expect(parseMillerSummary(json)).toEqual({ rows: 3, nullCounts: { id: 0, score: 0 } });
  });

  it('agrees when rows and every null count match', () => {
    expect(agreeCsv(ours, { rows: 3, nullCounts: { id: 0, score: 1 } })).toEqual({
      agrees: true,
      summary: 'yes (rows same, nulls same in 2/2 columns)',
      differences: [],
    });
  });

  it('reports each difference with the reason it is expected, if any', () => {
    const result = agreeCsv(ours, { rows: 4, nullCounts: { id: 0, score: 0 } }, (c) =>
      c === 'score' ? 'NA is not null there' : undefined,
    );
    expect(result.agrees).toBe(false);
    expect(result.summary).toBe('no: rows differ, nulls same in 1/2 columns');
    expect(result.differences).toEqual([
      'rows: ours 3, theirs 4',
      'score nulls: ours 1, theirs 0 (NA is not null there)',
    ]);
  });
});
