/**
 * The bounds that keep a CSV profile's memory bounded whatever the shape of the input, and the
 * errors for inputs past them: a record may hold at most `MAX_RECORD_CHARS` characters, the
 * header `MAX_HEADER_CHARS` and `MAX_COLUMNS` fields, and distinct counting shares
 * `DISTINCT_STATE_BYTES` among the columns (see `distinctPlan`).
 */
import { InputError } from './api.js';
import { HLL_MAX_BITS, tableSlots } from './distinct.js';

/** Largest record accepted, in characters (quoted fields may span lines). */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;
/** Largest header accepted, in characters of its field names; the names are kept and reported. */
export const MAX_HEADER_CHARS = 1024 * 1024;
/** Most columns profiled: each holds an accumulator and its share of the distinct-count memory. */
export const MAX_COLUMNS = 10_000;
/** Most distinct values counted exactly per column (fewer on wide files, see `distinctPlan`). */
export const DISTINCT_EXACT_CAP = 10_000;
/** Memory for distinct counting, shared by all columns (see `distinctPlan`): 32 MiB. */
export const DISTINCT_STATE_BYTES = 32 * 1024 * 1024;

/**
 * How each column counts distinct values when the file has `columns` columns. Each gets an
 * equal share of `DISTINCT_STATE_BYTES` for its exact table (8-byte slots, at most half full);
 * past the cap its sketch takes over the same bytes, so the sketch is no larger than the table.
 */
export function distinctPlan(columns: number): { cap: number; slots: number; sketchBits: number } {
  const share = Math.floor(DISTINCT_STATE_BYTES / Math.max(1, columns));
  const slots = Math.min(tableSlots(DISTINCT_EXACT_CAP), 2 ** Math.floor(Math.log2(share / 8)));
  return {
    cap: Math.min(DISTINCT_EXACT_CAP, slots / 2),
    slots,
    sketchBits: Math.min(HLL_MAX_BITS, Math.log2(slots * 8)),
  };
}

/** A record past `MAX_RECORD_CHARS`, starting at `line`; `record` is its row number, if past the header. */
export function recordTooLong(line: number, record: number | undefined): InputError {
  return new InputError(
    `record at line ${line} is longer than ${MAX_RECORD_CHARS} characters`,
    'CSV_RECORD_TOO_LONG',
    line,
    record,
  );
}

/** A header past `MAX_COLUMNS`; `atLeast` when it was too long to be read whole. */
export function tooManyColumns(fields: number, line: number, atLeast = false): InputError {
  return new InputError(
    `the header at line ${line} has ${atLeast ? 'at least ' : ''}${fields} fields; at most ${MAX_COLUMNS} columns are profiled`,
    'CSV_TOO_MANY_COLUMNS',
    line,
  );
}

export function headerTooLong(line: number): InputError {
  return new InputError(
    `the header at line ${line} is longer than ${MAX_HEADER_CHARS} characters`,
    'CSV_HEADER_TOO_LONG',
    line,
  );
}
