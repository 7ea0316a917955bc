/**
 * FASTQ results as `seqkit stats -a -T` prints them (seqkit 2.3): the same columns in the same
 * order, numbers rounded and printed the same way, so that scripts and MultiQC's seqkit module
 * read our table as they read seqkit's.
 *
 * Two deliberate differences: where every read has the same length, Q1 and Q3 are that length
 * (seqkit prints half of it; see docs/result-schema.md); and a tab, CR or LF in the file column is
 * written as `\t`, `\r` or `\n`, where seqkit writes it raw and breaks the row. `type` is always
 * `DNA`: the report does not keep the letters seqkit guesses RNA or protein from.
 */
import type { FastqStats } from '../core/index.js';
import type { FastqResult } from './result-documents.js';

/** The statistics columns, in seqkit's order, each computed from the report's FastqStats. */
export const SEQKIT_STATISTICS = [
  'num_seqs',
  'sum_len',
  'min_len',
  'avg_len',
  'max_len',
  'Q1',
  'Q2',
  'Q3',
  'sum_gap',
  'N50',
  'Q20(%)',
  'Q30(%)',
  'GC(%)',
] as const;
export type SeqkitStatistic = (typeof SEQKIT_STATISTICS)[number];

/** Every column of `seqkit stats -a -T`, in its order: the header of the table. */
export const SEQKIT_STATS_COLUMNS = ['file', 'format', 'type', ...SEQKIT_STATISTICS] as const;
export type SeqkitStatsColumn = (typeof SEQKIT_STATS_COLUMNS)[number];

/** seqkit's rounding (shenwei356/util math.Round: add half a unit, then truncate), then printing. */
function seqkitFixed(value: number, digits: number): string {
  const scale = 10 ** digits;
  return (Math.trunc((value + 0.5 / scale) * scale) / scale).toFixed(digits);
}

/** The statistics of one FASTQ, printed as seqkit prints each column. */
export function seqkitStatistics(stats: FastqStats): Record<SeqkitStatistic, string> {
  return {
    num_seqs: String(stats.reads),
    sum_len: String(stats.bases),
    min_len: String(stats.minLength),
    avg_len: seqkitFixed(stats.meanLength, 1),
    max_len: String(stats.maxLength),
    Q1: seqkitFixed(stats.q1Length, 1),
    Q2: seqkitFixed(stats.medianLength, 1),
    Q3: seqkitFixed(stats.q3Length, 1),
    sum_gap: String(stats.gaps),
    N50: String(stats.n50),
    'Q20(%)': seqkitFixed(stats.q20Percent, 2),
    'Q30(%)': seqkitFixed(stats.q30Percent, 2),
    'GC(%)': seqkitFixed(stats.gcPercent, 2),
  };
}

/** Chooses the file column of a result's row; the object key unless told otherwise. */
export type FileColumn = (document: FastqResult) => string;

const objectKey: FileColumn = (document) => document.job.key;

/** One row of the table (no line end). */
export function seqkitStatsRow(document: FastqResult, file: FileColumn = objectKey): string {
  const stats = document.report.fastq;
  // seqkit cannot tell the format or alphabet of a file with no record and leaves both empty.
  const known = stats.reads > 0;
  const values: Record<SeqkitStatsColumn, string> = {
    file: escapeTsvField(file(document)),
    format: known ? 'FASTQ' : '',
    type: known ? 'DNA' : '',
    ...seqkitStatistics(stats),
  };
  return SEQKIT_STATS_COLUMNS.map((column) => values[column]).join('\t');
}

/** The whole table: the header line, then a row per result, in the order given. */
export function seqkitStatsTsv(documents: readonly FastqResult[], file: FileColumn = objectKey): string {
  const lines = [
    SEQKIT_STATS_COLUMNS.join('\t'),
    ...documents.map((document) => seqkitStatsRow(document, file)),
  ];
  return `${lines.join('\n')}\n`;
}

const ESCAPES: Record<string, string> = { '\t': '\\t', '\r': '\\r', '\n': '\\n' };

/** Keys may hold any character; these three would split a field or a row. */
export function escapeTsvField(value: string): string {
  return value.replace(/[\t\r\n]/g, (c) => ESCAPES[c] as string);
}
