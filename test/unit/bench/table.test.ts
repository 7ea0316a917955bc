import { describe, expect, it } from 'vitest';
import {
  checkTable,
  formatMBps,
  formatMiB,
  formatRatio,
  formatTable,
  ratios,
  resultTable,
  throughputOf,
  type Measured,
} from '../../../bench/lib/table.js';
import { median, mbPerSecond } from '../../../bench/lib/stats.js';

describe('formatTable', () => {
  it('pads every cell to its column and right-aligns numeric columns, as Markdown', () => {
    const text = formatTable(
      [{ header: 'tool' }, { header: 'MB/s', align: 'right' }],
      [
        ['ours', '612'],
        ['seqkit', '48.5'],
      ],
    );
    expect(text.split('\n')).toEqual([
      '| tool   | MB/s |',
      '| ------ | ---: |',
      '| ours   |  612 |',
      '| seqkit | 48.5 |',
    ]);
  });

  it('rejects a row with the wrong number of cells', () => {
    expect(() => formatTable([{ header: 'a' }], [['1', '2']])).toThrowError(
      /2 cells, the table has 1 columns/,
    );
  });
});

describe('results', () => {
  const rows: Measured[] = [
    { group: 'FASTQ', tool: 'ours', input: 'x.fq', bytes: 1e9, seconds: [2, 1, 4], peakRssKiB: 100 * 1024 },
    { group: 'FASTQ', tool: 'seqkit', input: 'x.fq', bytes: 1e9, seconds: [4, 4, 4], reference: true },
    { group: 'stream', tool: 'core', input: 'x.fq', bytes: 5e8, seconds: [1] },
  ];

  it('takes MB/s from the median run', () => {
    expect(throughputOf(rows[0] as Measured)).toBe(500);
    expect(median([3, 1, 2, 4])).toBe(2.5);
    expect(mbPerSecond(2e6, 1)).toBe(2);
  });

  it("divides each row by its group's reference, and leaves groups without one blank", () => {
    expect(ratios(rows)).toEqual([2, 1, undefined]);
  });

  it('prints the table with ratios, memory and the reference marked', () => {
    const text = resultTable(rows);
    expect(text).toContain('| seqkit (ref) |');
    expect(text).toMatch(/\| ours\s+\| x\.fq\s+\|\s+3 \|\s+2\.00 \|\s+500 \|\s+2\.00× \|\s+100 \|/);
    expect(text).toMatch(/\| core .*\|\s+— \|\s+n\/a \|/);
  });

  it('formats numbers with sensible precision', () => {
    expect(formatMBps(612.4)).toBe('612');
    expect(formatMBps(48.46)).toBe('48.5');
    expect(formatMBps(7.123)).toBe('7.12');
    expect(formatRatio(1.234)).toBe('1.23×');
    expect(formatRatio(undefined)).toBe('—');
    expect(formatMiB(131072)).toBe('128');
    expect(formatMiB(undefined)).toBe('n/a');
  });

  it('lists targets with whether each was met', () => {
    const text = checkTable([
      { what: 'plain', target: '≥ 1.2×', measured: '1.31×', met: true },
      { what: 'gzip', target: '≥ 2×', measured: '1.70×', met: false },
      { what: 's3', target: '≥ 0.8×', measured: 'n/a', met: undefined },
    ]);
    expect(text).toMatch(/\| plain .*\| yes \|/);
    expect(text).toMatch(/\| gzip .*\| NO {2}\|/);
    expect(text).toMatch(/\| s3 .*\| n\/a \|/);
  });
});
