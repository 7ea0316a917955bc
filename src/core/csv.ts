/**
 * Streaming CSV profile. Records are parsed by Papa Parse's core parser (RFC 4180 quoting),
 * fed with text decoded from 32 KiB slices. Papa Parse is lenient where RFC 4180 is not (a
 * quote inside an unquoted field, spaces after a closing quote), so every parsed record is
 * checked against the text it came from: its fields, written back as RFC 4180 writes them,
 * must cover that text exactly. The check is a walk over field lengths, done only for text
 * that holds a quote; the exact character at fault is looked for only once a check fails.
 *
 * Memory is bounded whatever the shape of the input: a record may hold at most
 * `MAX_RECORD_CHARS` characters, the header `MAX_HEADER_CHARS` and `MAX_COLUMNS` fields, and
 * distinct counting shares `DISTINCT_STATE_BYTES` among the columns (see `distinctPlan`).
 */
import { StringDecoder } from 'node:string_decoder';
import Papa from 'papaparse';
import { InputError } from './api.js';
import { ColumnAccumulator } from './csv-columns.js';
import { HLL_MAX_BITS, tableSlots } from './distinct.js';
import { throwIfAborted } from './input.js';
import type { CsvProfile } from './report.js';

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
 * Size of the byte slices decoded and parsed at a time: small strings die young. 32 KiB parses
 * as fast as 64 KiB and peaks 15 MiB lower on the bench's CSV (8 KiB is no better).
 */
const SLICE_BYTES = 32 * 1024;

const QUOTE = 34; // '"'
const COMMA = 44; // ','
const LF = 10;
const CR = 13;

type Newline = '\n' | '\r\n' | '\r';

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

/**
 * Profile a CSV whose first record is the header. Throws InputError for an empty input, an
 * unterminated quote, a row whose field count differs from the header's, other malformed
 * quoting, and inputs past the limits above.
 */
export async function profileCsv(chunks: AsyncIterable<Buffer>, signal?: AbortSignal): Promise<CsvProfile> {
  const reader = new CsvReader();
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
      throwIfAborted(signal);
      reader.push(chunk.subarray(at, at + SLICE_BYTES));
    }
  }
  throwIfAborted(signal);
  return reader.finish();
}

/** Stands for a record made of one quoted empty field, which is a record and not an empty line. */
const QUOTED_EMPTY: string[] = [''];

const enum Fault {
  None = 0,
  /** Not what strict RFC 4180 writes for the parsed values: malformed quoting. */
  Malformed = 1,
  TooLong = 2,
  /** A quoted field still open at the end of the input. */
  Unterminated = 3,
}

class CsvReader {
  private readonly decoder = new StringDecoder('utf8');
  private started = false;
  private newline: Newline | undefined;
  private parser: Papa.Parser | undefined;
  /** Text not parsed yet: the start of an unfinished record, then the text decoded since. */
  private text = '';
  /** Length of `text` at the last parse: how long the unfinished record already is. */
  private pendingChars = 0;
  /** Line ends in the text before `text`. */
  private linesBefore = 0;
  /** Where the search for the first line end got to, and whether it is inside quotes there. */
  private scanAt = 0;
  private scanQuoted = false;

  private header: string[] | undefined;
  private columns: ColumnAccumulator[] = [];
  private rows = 0;

  // Results of `walk`.
  private walkEnd = 0;
  private walkQuotes = 0;
  private walkFault = Fault.None;
  private faultStart = 0;

  push(bytes: Buffer): void {
    this.append(this.decoder.write(bytes));
    // Parse once the new text is at least as long as the unfinished record: Papa Parse reads a
    // record from its start on each call, and this way a long one costs about twice its length.
    if (this.text.length - this.pendingChars >= Math.max(this.pendingChars, 1)) this.parse(false);
  }

  finish(): CsvProfile {
    this.append(this.decoder.end());
    this.parse(true);
    const header = this.header;
    if (header === undefined) throw new InputError('empty input: no CSV header found', 'EMPTY_INPUT');
    return {
      rows: this.rows,
      columns: header.length,
      header,
      columnProfiles: this.columns.map((column, i) => column.profile(header[i] as string)),
    };
  }

  private append(text: string): void {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte-order mark
    }
    if (text.length > 0) this.text = this.text.length === 0 ? text : this.text + text;
  }

  private parse(final: boolean): void {
    if (this.parser === undefined) {
      const newline = this.detectNewline(final);
      if (newline === undefined) {
        this.pendingChars = this.text.length;
        this.checkPending();
        return;
      }
      this.newline = newline;
      this.parser = new Papa.Parser({ delimiter: ',', newline, quoteChar: '"' });
    }
    const text = this.text;
    const { data, errors, meta } = parseWith(this.parser, text, !final);

    // Records are taken in order up to the first fault, which is then reported.
    let count = data.length;
    let fault = Fault.None;
    let cursor = meta.cursor;
    const first = errors[0];
    if (first !== undefined) {
      count = Math.min(count, first.row ?? 0);
      fault = first.code === 'MissingQuotes' ? Fault.Unterminated : Fault.Malformed;
    }
    let faultStart = 0;
    let found = false;
    if (text.length > MAX_RECORD_CHARS || text.indexOf('"') !== -1) {
      const bad = this.walk(text, data, count, true);
      found = bad !== -1;
      if (found) {
        count = bad;
        fault = this.walkFault;
        faultStart = this.faultStart;
      } else {
        faultStart = this.walkEnd;
      }
    }
    // A quote misplaced earlier in a record that never closes its last one is the first fault;
    // a record that never closes and is too long is too long, as it would be in a longer input.
    const newline = this.newline as Newline;
    if (fault === Fault.Unterminated) {
      if (firstMalformed(text, faultStart, newline, true) !== -1) fault = Fault.Malformed;
      else if (text.length - faultStart > MAX_RECORD_CHARS) fault = Fault.TooLong;
    }
    // Papa Parse takes a closing quote followed by the first half of a CRLF at the end of the
    // text for a misplaced quote: let the text that follows decide.
    if (
      fault === Fault.Malformed &&
      !found &&
      !final &&
      firstMalformed(text, faultStart, newline, false) === -1
    ) {
      fault = Fault.None;
      cursor = faultStart;
    }

    for (let r = 0; r < count; r++) {
      const record = data[r] as string[];
      if (record.length === 1 && record[0] === '' && record !== QUOTED_EMPTY) continue; // empty line
      if (this.header === undefined) {
        this.setHeader(record, text, data, r);
        continue;
      }
      this.rows++;
      const columns = this.columns;
      if (record.length !== columns.length) throw this.ragged(text, data, r);
      for (let i = 0; i < record.length; i++) (columns[i] as ColumnAccumulator).add(record[i] as string);
    }
    if (fault !== Fault.None) throw this.faultError(text, faultStart, fault);

    this.linesBefore += countLines(text, 0, cursor);
    this.text = text.slice(cursor);
    this.pendingChars = this.text.length;
    this.checkPending();
  }

  /**
   * Follow records[0, count) through `text` from its start, and return the index of the first
   * that is not exactly what strict RFC 4180 writes for its values, or that is too long; -1 if
   * none. `walkEnd` is then where the records end, `faultStart` where the faulty one starts.
   * With `check` false, only `walkEnd` is computed (the records are known to be good).
   */
  private walk(text: string, records: string[][], count: number, check: boolean): number {
    const bad = this.follow(text, records, count, check, false);
    if (!check) return bad;
    // Every quote must belong to a quoted field: one inside an unquoted field is not allowed.
    // The records before a faulty one are checked for that too, as it would come first.
    const end = bad === -1 ? this.walkEnd : this.faultStart;
    let seen = 0;
    for (let q = text.indexOf('"'); q !== -1 && q < end; q = text.indexOf('"', q + 1)) seen++;
    if (seen === this.walkQuotes) return bad;
    const fault = this.walkFault;
    const earlier = this.follow(text, records, bad === -1 ? count : bad, false, true);
    if (earlier !== -1) return earlier;
    this.walkFault = fault;
    return bad;
  }

  /** The walk itself; with `quoteInUnquoted`, also a fault: an unquoted value holding a quote. */
  private follow(
    text: string,
    records: string[][],
    count: number,
    check: boolean,
    quoteInUnquoted: boolean,
  ): number {
    const newline = this.newline as Newline;
    const newlineFirst = newline.charCodeAt(0);
    let pos = 0;
    let quotes = 0;
    for (let r = 0; r < count; r++) {
      const record = records[r] as string[];
      const start = pos;
      this.walkQuotes = quotes;
      for (let f = 0; f < record.length; f++) {
        if (f > 0) {
          if (text.charCodeAt(pos) !== COMMA) return this.fault(r, start, Fault.Malformed);
          pos++;
        }
        const value = record[f] as string;
        if (text.charCodeAt(pos) === QUOTE) {
          let inner = 0;
          for (let q = value.indexOf('"'); q !== -1; q = value.indexOf('"', q + 1)) inner++;
          pos += value.length + inner + 2;
          if (text.charCodeAt(pos - 1) !== QUOTE) return this.fault(r, start, Fault.Malformed);
          quotes += 2 + 2 * inner;
          if (record.length === 1 && value === '') records[r] = QUOTED_EMPTY;
        } else {
          if (quoteInUnquoted && value.indexOf('"') !== -1) return this.fault(r, start, Fault.Malformed);
          pos += value.length;
        }
      }
      if (check && pos - start > MAX_RECORD_CHARS) return this.fault(r, start, Fault.TooLong);
      if (pos < text.length) {
        if (text.charCodeAt(pos) !== newlineFirst || !text.startsWith(newline, pos)) {
          return this.fault(r, start, Fault.Malformed);
        }
        pos += newline.length;
      }
    }
    this.walkEnd = pos;
    this.walkQuotes = quotes;
    return -1;
  }

  private fault(record: number, start: number, kind: Fault): number {
    this.faultStart = start;
    this.walkFault = kind;
    return record;
  }

  /** The error for a fault in the record starting at text[start]. */
  private faultError(text: string, start: number, fault: Fault): InputError {
    const record = this.header !== undefined ? this.rows + 1 : undefined;
    const line = this.lineAt(text, start);
    if (fault === Fault.Unterminated) {
      return new InputError(
        `unterminated quoted field: the record starting at line ${line} never closes its quote`,
        'CSV_UNTERMINATED_QUOTE',
        line,
        record,
      );
    }
    if (fault === Fault.TooLong) {
      return new InputError(
        `record at line ${line} is longer than ${MAX_RECORD_CHARS} characters`,
        'CSV_RECORD_TOO_LONG',
        line,
        record,
      );
    }
    const at = firstMalformed(text, start, this.newline as Newline, true);
    if (at === -1) {
      return new InputError(
        `malformed CSV at line ${line}: quoting that RFC 4180 does not allow`,
        'CSV_MALFORMED',
        line,
        record,
      );
    }
    const what =
      text.charCodeAt(at) === QUOTE && text.charCodeAt(at - 1) !== QUOTE
        ? 'a quote inside an unquoted field (quote the whole field and double the quote)'
        : `${describeChar(text, at)} after a closing quote, where a comma or a line end must follow`;
    const atLine = this.lineAt(text, at);
    return new InputError(`malformed CSV at line ${atLine}: ${what}`, 'CSV_MALFORMED', atLine, record);
  }

  private ragged(text: string, records: string[][], r: number): InputError {
    this.walk(text, records, r + 1, false);
    // The line where the record ends: the line of its last character.
    const newline = this.newline as Newline;
    let end = this.walkEnd;
    if (text.endsWith(newline, end)) end -= newline.length;
    const line = this.lineAt(text, end - 1);
    const got = (records[r] as string[]).length;
    return new InputError(
      `ragged row ${this.rows} at line ${line}: ${got} fields where the header has ${this.columns.length}`,
      'CSV_RAGGED_ROW',
      line,
      this.rows,
    );
  }

  private setHeader(record: string[], text: string, records: string[][], r: number): void {
    this.walk(text, records, r, false);
    const line = this.lineAt(text, this.walkEnd);
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

  /** Limits on the unfinished record at the end of the text. */
  private checkPending(): void {
    const pending = this.pendingChars;
    if (this.header === undefined && pending > MAX_HEADER_CHARS) {
      const line = this.linesBefore + 1;
      // The header is not complete: count the fields it has so far.
      const parser = new Papa.Parser({ delimiter: ',', newline: this.newline ?? '\n', quoteChar: '"' });
      const fields = parseWith(parser, this.text, false).data[0]?.length ?? 1;
      throw fields > MAX_COLUMNS ? tooManyColumns(fields, line, true) : headerTooLong(line);
    }
    if (pending > MAX_RECORD_CHARS) {
      const line = this.linesBefore + 1;
      throw new InputError(
        `record at line ${line} is longer than ${MAX_RECORD_CHARS} characters`,
        'CSV_RECORD_TOO_LONG',
        line,
        this.header !== undefined ? this.rows + 1 : undefined,
      );
    }
  }

  /** The first line end outside quotes says how lines end: LF, CRLF or CR. */
  private detectNewline(final: boolean): Newline | undefined {
    const text = this.text;
    let quoted = this.scanQuoted;
    let i = this.scanAt;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) quoted = !quoted;
      else if (!quoted && c === LF) return '\n';
      else if (!quoted && c === CR) {
        if (i + 1 < text.length) return text.charCodeAt(i + 1) === LF ? '\r\n' : '\r';
        if (final) return '\r';
        break;
      }
    }
    this.scanAt = i;
    this.scanQuoted = quoted;
    return final ? '\n' : undefined;
  }

  /** The 1-based line of text[pos]. */
  private lineAt(text: string, pos: number): number {
    return this.linesBefore + countLines(text, 0, pos) + 1;
  }
}

/** Line ends in text[start, end): LF, CRLF or a CR alone each end a line. */
function countLines(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', start); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  for (let i = text.indexOf('\r', start); i !== -1 && i < end; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}

/**
 * Error path: the first character of the record starting at `start` that strict RFC 4180
 * does not allow there (a quote inside an unquoted field, or anything but a comma or a line
 * end after a closing quote), or -1 if there is none before the record or the text ends.
 * Unless `final`, the text may continue, so a character that could begin a line end is not
 * taken for a fault at its very end.
 */
function firstMalformed(text: string, start: number, newline: Newline, final: boolean): number {
  let i = start;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let close = text.indexOf('"', i + 1);
      while (close !== -1 && text.charCodeAt(close + 1) === QUOTE) close = text.indexOf('"', close + 2);
      if (close === -1 || close + 1 >= text.length) return -1;
      i = close + 1;
      if (text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      if (text.startsWith(newline, i)) return -1;
      if (!final && text.length - i < newline.length && newline.startsWith(text.slice(i))) return -1;
      return i;
    }
    const comma = text.indexOf(',', i);
    const lineEnd = text.indexOf(newline, i);
    const end = comma !== -1 && (lineEnd === -1 || comma < lineEnd) ? comma : lineEnd;
    const quote = text.indexOf('"', i);
    if (quote !== -1 && (end === -1 || quote < end)) return quote;
    if (end === -1 || end === lineEnd) return -1;
    i = end + 1;
  }
}

function describeChar(text: string, at: number): string {
  const c = text.charCodeAt(at);
  return c > 32 && c < 127 ? `'${text[at]}'` : `character U+${c.toString(16).padStart(4, '0').toUpperCase()}`;
}

function tooManyColumns(fields: number, line: number, atLeast = false): InputError {
  return new InputError(
    `the header at line ${line} has ${atLeast ? 'at least ' : ''}${fields} fields; at most ${MAX_COLUMNS} columns are profiled`,
    'CSV_TOO_MANY_COLUMNS',
    line,
  );
}

function headerTooLong(line: number): InputError {
  return new InputError(
    `the header at line ${line} is longer than ${MAX_HEADER_CHARS} characters`,
    'CSV_HEADER_TOO_LONG',
    line,
  );
}

/**
 * One pass of Papa Parse's core `Parser` (what its own streamers are built on) over `text`; with
 * `ignoreLastRow` it stops before a last record that may continue in text not seen yet. Its
 * `parse` is typed `any` upstream: the result is a `ParseResult` of string records.
 */
function parseWith(parser: Papa.Parser, text: string, ignoreLastRow: boolean): Papa.ParseResult<string[]> {
  return parser.parse(text, 0, ignoreLastRow) as Papa.ParseResult<string[]>;
}
