/**
 * Results as people read them: for FASTQ the numbers compared between runs (reads, bases, lengths,
 * N50, Q20 %, Q30 %, GC %), for CSV the table's shape. The console's `results`, the summary of
 * `submit --watch` and the demo all print these columns.
 */
import Table from 'cli-table3';
import type { CsvProfile, FastqStats, JobReport } from '../core/report.js';
import type { ResultDocument } from '../runtime/job.js';
import { uploadPath } from './result-documents.js';

export type Result = ResultDocument<JobReport>;

export interface Column<T> {
  header: string;
  /** Numbers are right-aligned. */
  numeric?: boolean;
  cell(value: T): string;
}

const count = (n: number) => n.toLocaleString('en-US');
const fixed = (digits: number) => (n: number) => n.toFixed(digits);

function fastqColumn(header: string, pick: (s: FastqStats) => number, show = count): Column<Result> {
  return { header, numeric: true, cell: (r) => show(pick(r.report.fastq!)) };
}

const FILE: Column<Result> = { header: 'file', cell: (r) => uploadPath(r.job.key) };

const FASTQ_COLUMNS: readonly Column<Result>[] = [
  FILE,
  fastqColumn('reads', (s) => s.reads),
  fastqColumn('bases', (s) => s.bases),
  fastqColumn('min len', (s) => s.minLength),
  fastqColumn('mean len', (s) => s.meanLength, fixed(1)),
  fastqColumn('max len', (s) => s.maxLength),
  fastqColumn('N50', (s) => s.n50),
  fastqColumn('Q20 %', (s) => s.q20Percent, fixed(2)),
  fastqColumn('Q30 %', (s) => s.q30Percent, fixed(2)),
  fastqColumn('GC %', (s) => s.gcPercent, fixed(2)),
];

function csvColumn(header: string, pick: (p: CsvProfile) => number): Column<Result> {
  return { header, numeric: true, cell: (r) => count(pick(r.report.csv!)) };
}

const CSV_COLUMNS: readonly Column<Result>[] = [
  FILE,
  csvColumn('rows', (p) => p.rows),
  csvColumn('columns', (p) => p.columns),
];

/** A borderless, aligned table with a header on every column, as `seqkit stats` prints. */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const table = new Table({
    head: columns.map((c) => c.header),
    colAligns: columns.map((c) => (c.numeric ? 'right' : 'left')),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(columns.map((c) => c.cell(row)));
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** The FASTQ table and the CSV table of these results, each only when it has rows. */
export function renderResults(results: readonly Result[]): string {
  const byName = [...results].sort((a, b) => a.job.key.localeCompare(b.job.key));
  const parts: string[] = [];
  const fastq = byName.filter((r) => r.report.fastq);
  const csv = byName.filter((r) => r.report.csv);
  if (fastq.length) parts.push(renderTable(FASTQ_COLUMNS, fastq));
  if (csv.length) parts.push(renderTable(CSV_COLUMNS, csv));
  return parts.join('\n\n');
}
