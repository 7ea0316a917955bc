import { describe, expect, it } from 'vitest';
import { renderResults, renderTable, type Result } from '../../../src/cli/result-table.js';
import type { FastqStats } from '../../../src/core/report.js';

function fastqResult(key: string, stats: Partial<FastqStats>): Result {
  const fastq: FastqStats = {
    reads: 0,
    bases: 0,
    minLength: 0,
    maxLength: 0,
    meanLength: 0,
    q1Length: 0,
    medianLength: 0,
    q3Length: 0,
    n50: 0,
    gcPercent: 0,
    nPercent: 0,
    q20Percent: 0,
    q30Percent: 0,
    meanQuality: 0,
    gaps: 0,
    ...stats,
  };
  return {
    job: { key } as Result['job'],
    report: {
      schemaVersion: 1,
      format: 'fastq',
      input: { name: key, gzip: false, bytes: 1, uncompressedBytes: 1 },
      fastq,
    },
  };
}

function csvResult(key: string, rows: number, columns: number): Result {
  return {
    job: { key } as Result['job'],
    report: {
      schemaVersion: 1,
      format: 'csv',
      input: { name: key, gzip: false, bytes: 1, uncompressedBytes: 1 },
      csv: { rows, columns, header: [], columnProfiles: [] },
    },
  };
}

describe('results as a table', () => {
  it('puts a header over every column, numbers right-aligned and rounded for reading', () => {
    const lines = renderResults([
      fastqResult('incoming/b.fq.gz', {
        reads: 1234567,
        bases: 2e8,
        minLength: 35,
        meanLength: 151.04,
        maxLength: 151,
        n50: 151,
        q20Percent: 97.1234,
        q30Percent: 91.5,
        gcPercent: 41.006,
      }),
      fastqResult('incoming/a.fq', {
        reads: 7,
        bases: 1573,
        minLength: 1,
        meanLength: 224.714,
        maxLength: 1000,
        n50: 1000,
        q20Percent: 52.381,
        q30Percent: 26.76,
        gcPercent: 47.93,
      }),
    ]).split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual([
      'file',
      'reads',
      'bases',
      'min len',
      'mean len',
      'max len',
      'N50',
      'Q20 %',
      'Q30 %',
      'GC %',
    ]);
    // Sorted by file; thousands separated; percentages to two places.
    expect(lines[1]!.split(/\s{2,}/)).toEqual([
      'a.fq',
      '7',
      '1,573',
      '1',
      '224.7',
      '1,000',
      '1,000',
      '52.38',
      '26.76',
      '47.93',
    ]);
    expect(lines[2]!.split(/\s{2,}/)).toEqual([
      'b.fq.gz',
      '1,234,567',
      '200,000,000',
      '35',
      '151.0',
      '151',
      '151',
      '97.12',
      '91.50',
      '41.01',
    ]);
    // Right-aligned: every row of the reads column ends where its header ends.
    const end = lines[0]!.indexOf('reads') + 'reads'.length;
    expect(lines[1]!.slice(0, end).endsWith(' 7')).toBe(true);
    expect(lines.every((line) => line === line.trimEnd())).toBe(true);
  });

  it('gives CSV results a table of their own, and none to a format without results', () => {
    const csvOnly = renderResults([csvResult('incoming/t.csv', 1500, 8)]);
    expect(csvOnly.split('\n')).toEqual(['file    rows  columns', 't.csv  1,500        8']);
    const both = renderResults([
      csvResult('incoming/t.csv', 2, 3),
      fastqResult('incoming/a.fq', { reads: 1 }),
    ]);
    expect(both.split('\n\n')).toHaveLength(2);
    expect(renderResults([])).toBe('');
  });

  it('renders any rows with the columns given', () => {
    const table = renderTable(
      [
        { header: 'name', cell: (s: string) => s },
        { header: 'length', numeric: true, cell: (s: string) => String(s.length) },
      ],
      ['a', 'abcdef'],
    );
    expect(table).toBe('name    length\na            1\nabcdef       6');
  });
});
