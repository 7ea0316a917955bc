/**
 * Profiles a table from its records: the first is the header, which names the columns; each
 * row after it must have a field for every column, and its values go to the column
 * accumulators (`csv-columns.ts`).
 */
import { InputError } from './api.js';
import { ColumnAccumulator } from './csv-columns.js';
import { MAX_COLUMNS, MAX_HEADER_CHARS, distinctPlan, headerTooLong, tooManyColumns } from './csv-limits.js';
import type { RecordSink } from './csv-records.js';
import { QUOTED_EMPTY, type Rfc4180Checker } from './csv-rfc4180.js';
import type { CsvProfile } from './report.js';

/**
 * Which columns a profiler accumulates: those whose index is `index` modulo `of`. Two threads
 * each profile half the columns of the same records (parse-thread.ts); one profiles them all.
 */
export interface ColumnShare {
  index: number;
  of: number;
}

export const ALL_COLUMNS: ColumnShare = { index: 0, of: 1 };

export class TableProfiler implements RecordSink {
  private header: string[] | undefined;
  private columns: ColumnAccumulator[] = [];
  private rows = 0;

  /**
   * `checker` is the one that checks the records taken: it knows their lines. Every record is
   * checked whatever the share, so each share fails on bad input as a whole profile would.
   */
  constructor(
    private readonly checker: Rfc4180Checker,
    private readonly share: ColumnShare = ALL_COLUMNS,
  ) {}

  take(records: string[][], count: number, text: string): void {
    for (let r = 0; r < count; r++) {
      const record = records[r] as string[];
      if (record.length === 1 && record[0] === '' && record !== QUOTED_EMPTY) continue; // empty line
      if (this.header === undefined) {
        this.setHeader(record, text, records, r);
        continue;
      }
      this.rows++;
      const columns = this.columns;
      const width = this.header.length;
      if (record.length !== width) throw this.checker.raggedError(text, records, r, this.rows, width);
      const { index, of } = this.share;
      for (let i = index, c = 0; i < width; i += of, c++) {
        (columns[c] as ColumnAccumulator).add(record[i] as string);
      }
    }
  }

  nextRecord(): number | undefined {
    return this.header !== undefined ? this.rows + 1 : undefined;
  }

  /**
   * The profile of the records taken, with the profiles of this share's columns only (all of
   * them for `ALL_COLUMNS`; see `mergeShares`). Throws InputError if there were none.
   */
  profile(): CsvProfile {
    const header = this.header;
    if (header === undefined) throw new InputError('empty input: no CSV header found', 'EMPTY_INPUT');
    const { index, of } = this.share;
    return {
      rows: this.rows,
      columns: header.length,
      header,
      columnProfiles: this.columns.map((column, c) => column.profile(header[index + c * of] as string)),
    };
  }

  private setHeader(record: string[], text: string, records: string[][], r: number): void {
    const line = this.checker.startLine(text, records, r);
    if (record.length > MAX_COLUMNS) throw tooManyColumns(record.length, line);
    let chars = 0;
    for (const name of record) chars += name.length;
    if (chars > MAX_HEADER_CHARS) throw headerTooLong(line);
    this.header = record;
    // The columns' tables are slices of one buffer: no per-column allocations, and pages that
    // are never written are never resident.
    const { cap, slots, sketchBits } = distinctPlan(record.length);
    const { index, of } = this.share;
    const count = Math.max(0, Math.ceil((record.length - index) / of));
    const tables = new Float64Array(count * slots);
    this.columns = Array.from(
      { length: count },
      (_, c) => new ColumnAccumulator(cap, sketchBits, tables.subarray(c * slots, (c + 1) * slots)),
    );
  }
}

/**
 * One profile from the profiles of every share of the same records: `shares[k]` profiled the
 * columns whose index is `k` modulo `shares.length`.
 */
export function mergeShares(shares: CsvProfile[]): CsvProfile {
  const [first] = shares;
  if (first === undefined) throw new Error('no CSV profile to merge');
  for (const share of shares) {
    if (share.rows !== first.rows || share.columns !== first.columns) {
      throw new Error(`CSV profile shares disagree: ${share.rows} and ${first.rows} rows`);
    }
  }
  const of = shares.length;
  const columnProfiles = first.header.map((_, i) => {
    const profile = shares[i % of]?.columnProfiles[Math.floor(i / of)];
    if (profile === undefined) throw new Error(`no profile of CSV column ${i + 1}`);
    return profile;
  });
  return { ...first, columnProfiles };
}
