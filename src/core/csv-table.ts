/**
 * Profiles a table from its records: the first is the header, which names the columns; each
 * row after it must have a field for every column, and its values go to the column
 * accumulators (`csv-columns.ts`).
 */
import { InputError } from './api.js';
import { ColumnAccumulator, type ColumnState } from './csv-columns.js';
import { MAX_COLUMNS, MAX_HEADER_CHARS, distinctPlan, headerTooLong, tooManyColumns } from './csv-limits.js';
import type { RecordSink } from './csv-records.js';
import { QUOTED_EMPTY, type Rfc4180Checker } from './csv-rfc4180.js';
import type { CsvProfile } from './report.js';

/** What a `TableProfiler` has seen, as it crosses threads (`state()`, `merge`). */
export interface TableState {
  rows: number;
  columns: ColumnState[];
}

export class TableProfiler implements RecordSink {
  private header: string[] | undefined;
  private columns: ColumnAccumulator[] = [];
  private rows = 0;
  /** Errors number rows from here: `rowOffset + rows` is the table's row just taken. */
  private rowOffset = 0;

  /** The checker of the records taken: it knows their lines. Set by `readWith`. */
  private checker: Rfc4180Checker | undefined;

  /** A profiler of a part of a table after its header (all its records are rows) is given the header. */
  constructor(header?: string[]) {
    if (header !== undefined) this.useHeader(header);
  }

  /**
   * Take the records `checker` checks from here on: the table's from its start, or those of a
   * part of it (`profileCsvPart`) whose first row is row `rowsBefore + 1` of the table.
   */
  readWith(checker: Rfc4180Checker, rowsBefore: number): void {
    this.checker = checker;
    this.rowOffset = rowsBefore - this.rows;
  }

  private get currentChecker(): Rfc4180Checker {
    if (this.checker === undefined) throw new Error('TableProfiler: readWith was not called');
    return this.checker;
  }

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
      if (record.length !== width) {
        throw this.currentChecker.raggedError(text, records, r, this.rowOffset + this.rows, width);
      }
      for (let c = 0; c < width; c++) (columns[c] as ColumnAccumulator).add(record[c] as string);
    }
  }

  nextRecord(): number | undefined {
    return this.header !== undefined ? this.rowOffset + this.rows + 1 : undefined;
  }

  /** The header, once taken. */
  get columnNames(): string[] | undefined {
    return this.header;
  }

  /** Rows taken so far. */
  get rowCount(): number {
    return this.rows;
  }

  state(): TableState {
    return { rows: this.rows, columns: this.columns.map((column) => column.state()) };
  }

  /** Take in what a profiler of other rows of the same table saw. */
  merge(other: TableState): void {
    if (other.columns.length !== this.columns.length) {
      throw new Error(`CSV profiles disagree: ${other.columns.length} and ${this.columns.length} columns`);
    }
    this.rows += other.rows;
    other.columns.forEach((column, c) => (this.columns[c] as ColumnAccumulator).merge(column));
  }

  /** The profile of the records taken. Throws InputError if there were none. */
  profile(): CsvProfile {
    const header = this.header;
    if (header === undefined) throw new InputError('empty input: no CSV header found', 'EMPTY_INPUT');
    return {
      rows: this.rows,
      columns: header.length,
      header,
      columnProfiles: this.columns.map((column, c) => column.profile(header[c] as string)),
    };
  }

  private setHeader(record: string[], text: string, records: string[][], r: number): void {
    const line = this.currentChecker.startLine(text, records, r);
    if (record.length > MAX_COLUMNS) throw tooManyColumns(record.length, line);
    let chars = 0;
    for (const name of record) chars += name.length;
    if (chars > MAX_HEADER_CHARS) throw headerTooLong(line);
    this.useHeader(record);
  }

  private useHeader(header: string[]): void {
    this.header = header;
    // The columns' tables are slices of one buffer: no per-column allocations, and pages that
    // are never written are never resident.
    const { cap, slots, sketchBits } = distinctPlan(header.length);
    const tables = new Float64Array(header.length * slots);
    this.columns = header.map(
      (_, c) => new ColumnAccumulator(cap, sketchBits, tables.subarray(c * slots, (c + 1) * slots)),
    );
  }
}
