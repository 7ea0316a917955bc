/**
 * Streaming CSV profile, composed of files with one job each: `csv-records.ts` reads records
 * (Papa Parse over decoded text), `csv-rfc4180.ts` checks them against RFC 4180 and names the
 * line of a fault, `csv-table.ts` takes the header and profiles the rows (`csv-columns.ts`,
 * `csv-values.ts`), and `csv-limits.ts` bounds memory whatever the shape of the input. With a
 * second CPU, `csv-two-threads.ts` reads the parts `csv-segments.ts` cuts on two threads.
 */
import { CsvRecordReader } from './csv-records.js';
import { Rfc4180Checker, type Newline } from './csv-rfc4180.js';
import { TableProfiler } from './csv-table.js';
import { throwIfAborted } from './input.js';
import type { CsvProfile } from './report.js';

export {
  DISTINCT_EXACT_CAP,
  DISTINCT_STATE_BYTES,
  MAX_COLUMNS,
  MAX_HEADER_CHARS,
  MAX_RECORD_CHARS,
  distinctPlan,
} from './csv-limits.js';

/**
 * Size of the byte slices decoded and parsed at a time: small strings die young. 32 KiB parses
 * as fast as 64 KiB and peaks 15 MiB lower on the bench's CSV (8 KiB is no better).
 */
const SLICE_BYTES = 32 * 1024;

/**
 * Profile a CSV whose first record is the header. Throws InputError for an empty input, an
 * unterminated quote, a row whose field count differs from the header's, other malformed
 * quoting, and inputs past the limits of `csv-limits.ts`.
 */
export async function profileCsv(chunks: AsyncIterable<Buffer>, signal?: AbortSignal): Promise<CsvProfile> {
  const table = new TableProfiler();
  const reader = new CsvPartReader(table);
  for await (const chunk of chunks) reader.push(chunk, signal);
  throwIfAborted(signal);
  reader.finish();
  return table.profile();
}

/** Where a part of a CSV starts: the line ends and rows before it, and how the input's lines end. */
export interface CsvPart {
  newline: Newline;
  linesBefore: number;
  rowsBefore: number;
}

/** What a part held: its rows and line ends, and how the input's lines end (once one has). */
export interface PartRead {
  rows: number;
  lines: number;
  newline: Newline | undefined;
}

/**
 * Reads a part of a CSV made of whole records (`csv-segments.ts`) into `table`, bytes pushed a
 * slice at a time: the input's first part when `part` is undefined, else a later one, which
 * `part` places so that an error names the line and row it would in the whole input. Throws as
 * `profileCsv` does.
 */
export class CsvPartReader {
  private readonly checker: Rfc4180Checker;
  private readonly reader: CsvRecordReader;
  /** The table's rows before this part. */
  private readonly rowsAtStart: number;

  constructor(
    private readonly table: TableProfiler,
    private readonly part?: CsvPart,
  ) {
    this.rowsAtStart = table.rowCount;
    this.checker = new Rfc4180Checker(part);
    table.readWith(this.checker, part?.rowsBefore ?? 0);
    this.reader = new CsvRecordReader(this.checker, table, part === undefined);
  }

  push(bytes: Uint8Array, signal?: AbortSignal): void {
    for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
      throwIfAborted(signal);
      this.reader.push(bytes.subarray(at, at + SLICE_BYTES));
    }
  }

  /** The part has ended: the rows and line ends it held, and how the input's lines end (once one has). */
  finish(): PartRead {
    this.reader.finish();
    return {
      rows: this.table.rowCount - this.rowsAtStart,
      lines: this.checker.lines - (this.part?.linesBefore ?? 0),
      newline: this.checker.newline,
    };
  }
}

/** A part held whole: see `CsvPartReader`. */
export function profileCsvPart(
  bytes: Uint8Array,
  table: TableProfiler,
  part: CsvPart | undefined,
  signal?: AbortSignal,
): PartRead {
  const reader = new CsvPartReader(table, part);
  reader.push(bytes, signal);
  throwIfAborted(signal);
  return reader.finish();
}
