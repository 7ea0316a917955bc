/**
 * Streaming CSV profile, composed of files with one job each: `csv-records.ts` reads records
 * (Papa Parse over decoded text), `csv-rfc4180.ts` checks them against RFC 4180 and names the
 * line of a fault, `csv-table.ts` takes the header and profiles the rows (`csv-columns.ts`,
 * `csv-values.ts`), and `csv-limits.ts` bounds memory whatever the shape of the input.
 */
import { CsvRecordReader } from './csv-records.js';
import { Rfc4180Checker } from './csv-rfc4180.js';
import { ALL_COLUMNS, TableProfiler, type ColumnShare } from './csv-table.js';
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
 * quoting, and inputs past the limits of `csv-limits.ts`. With a `share`, only those columns are
 * profiled (`mergeShares` in csv-table.ts joins the shares).
 */
export async function profileCsv(
  chunks: AsyncIterable<Buffer>,
  signal?: AbortSignal,
  share: ColumnShare = ALL_COLUMNS,
): Promise<CsvProfile> {
  const checker = new Rfc4180Checker();
  const table = new TableProfiler(checker, share);
  const reader = new CsvRecordReader(checker, table);
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
      throwIfAborted(signal);
      reader.push(chunk.subarray(at, at + SLICE_BYTES));
    }
  }
  throwIfAborted(signal);
  reader.finish();
  return table.profile();
}
