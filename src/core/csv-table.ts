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

export class TableProfiler implements RecordSink {
  private header: string[] | undefined;
  private columns: ColumnAccumulator[] = [];
  private rows = 0;

  /** `checker` is the one that checks the records taken: it knows their lines. */
  constructor(private readonly checker: Rfc4180Checker) {}

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
      if (record.length !== columns.length) {
        throw this.checker.raggedError(text, records, r, this.rows, columns.length);
      }
      for (let i = 0; i < record.length; i++) (columns[i] as ColumnAccumulator).add(record[i] as string);
    }
  }

  nextRecord(): number | undefined {
    return this.header !== undefined ? this.rows + 1 : undefined;
  }

  /** The profile of the records taken. Throws InputError if there were none. */
  profile(): CsvProfile {
    const header = this.header;
    if (header === undefined) throw new InputError('empty input: no CSV header found', 'EMPTY_INPUT');
    return {
      rows: this.rows,
      columns: header.length,
      header,
      columnProfiles: this.columns.map((column, i) => column.profile(header[i] as string)),
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
    const tables = new Float64Array(record.length * slots);
    this.columns = record.map(
      (_, i) => new ColumnAccumulator(cap, sketchBits, tables.subarray(i * slots, (i + 1) * slots)),
    );
  }
}
