/**
 * The RFC 4180 conformance checker, and the InputErrors it names with their line numbers.
 *
 * Papa Parse is lenient where RFC 4180 is not (a quote inside an unquoted field, spaces after a
 * closing quote), so every parsed record is checked against the text it came from: its fields,
 * written back as RFC 4180 writes them, must cover that text exactly. The check is a walk over
 * field lengths, done only for text that holds a quote; the exact character at fault is looked
 * for only once a check fails.
 */
import { InputError } from './api.js';
import { MAX_RECORD_CHARS, recordTooLong } from './csv-limits.js';

export type Newline = '\n' | '\r\n' | '\r';

export const enum Fault {
  None = 0,
  /** Not what strict RFC 4180 writes for the parsed values: malformed quoting. */
  Malformed = 1,
  TooLong = 2,
  /** A quoted field still open at the end of the input. */
  Unterminated = 3,
}

/**
 * Stands for a record made of one quoted empty field, which is a record and not an empty line:
 * the walk puts it in place of such a record, as only it sees the quotes.
 */
export const QUOTED_EMPTY: string[] = [''];

const QUOTE = 34; // '"'
const COMMA = 44; // ','
const LF = 10;
const CR = 13;

/**
 * Checks records one parsed text at a time. `advance` counts the lines of each text read, so
 * errors name lines of the whole input.
 */
export class Rfc4180Checker {
  /** How lines end, once `detectNewline` has found it. */
  newline: Newline | undefined;
  /** Line ends before the current text: those of the input before this checker's part, then those it read. */
  private linesRead: number;
  /** Where the search for the first line end got to, and whether it is inside quotes there. */
  private scanAt = 0;
  private scanQuoted = false;

  // Verdict of `check`.
  private fault = Fault.None;
  private faultStart = 0;
  private readTo = 0;

  // Results of `walk`.
  private walkEnd = 0;
  private walkQuotes = 0;
  private walkFault = Fault.None;
  private walkFaultStart = 0;

  /**
   * @param part for a part of an input that starts at a record: how its lines end, and how many
   *   line ends come before it (errors name lines of the whole input)
   */
  constructor(part?: { newline: Newline; linesBefore: number }) {
    this.newline = part?.newline;
    this.linesRead = part?.linesBefore ?? 0;
  }

  /** Line ends in the text read so far, and before it (see the constructor). */
  get lines(): number {
    return this.linesRead;
  }

  /**
   * The first line end outside quotes says how lines end: LF, CRLF or CR. Returns whether it is
   * known from `text` (the text not read yet, which only grows until it is), or, when `final`,
   * from the end of the input.
   */
  detectNewline(text: string, final: boolean): boolean {
    if (this.newline !== undefined) return true;
    let quoted = this.scanQuoted;
    let i = this.scanAt;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) quoted = !quoted;
      else if (!quoted && c === LF) return this.found('\n');
      else if (!quoted && c === CR) {
        if (i + 1 < text.length) return this.found(text.charCodeAt(i + 1) === LF ? '\r\n' : '\r');
        if (final) return this.found('\r');
        break;
      }
    }
    this.scanAt = i;
    this.scanQuoted = quoted;
    return final ? this.found('\n') : false;
  }

  private found(newline: Newline): boolean {
    this.newline = newline;
    return true;
  }

  /**
   * Check records[0, count), parsed from `text` up to `cursor`, and return how many of them
   * are good: taken in order up to the first fault. `parserFault` is what the parser reported
   * for records[count]. Then `faulty` says whether a fault is to be reported (`faultError`),
   * and `end` where the text read ends; unless `final`, the text may continue.
   */
  check(
    text: string,
    records: string[][],
    count: number,
    parserFault: Fault,
    cursor: number,
    final: boolean,
  ): number {
    let fault = parserFault;
    let faultStart = 0;
    let found = false;
    if (text.length > MAX_RECORD_CHARS || text.indexOf('"') !== -1) {
      const bad = this.walk(text, records, count, true);
      found = bad !== -1;
      if (found) {
        count = bad;
        fault = this.walkFault;
        faultStart = this.walkFaultStart;
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
    this.fault = fault;
    this.faultStart = faultStart;
    this.readTo = cursor;
    return count;
  }

  /** Whether the last `check` found a fault to report. */
  faulty(): boolean {
    return this.fault !== Fault.None;
  }

  /** Where the text read by the last `check` ends: the rest is read again with what follows. */
  end(): number {
    return this.readTo;
  }

  /** The text up to `end` is read: count its lines. */
  advance(text: string, end: number): void {
    this.linesRead += countLines(text, 0, end);
  }

  /**
   * The error for the fault found by the last `check` in `text`; `record` is the row number of
   * the faulty record, if past the header.
   */
  faultError(text: string, record: number | undefined): InputError {
    const start = this.faultStart;
    const line = this.lineAt(text, start);
    if (this.fault === Fault.Unterminated) {
      return new InputError(
        `unterminated quoted field: the record starting at line ${line} never closes its quote`,
        'CSV_UNTERMINATED_QUOTE',
        line,
        record,
      );
    }
    if (this.fault === Fault.TooLong) return recordTooLong(line, record);
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

  /**
   * The error for records[r], row `row` of `text`'s good records, which has not the `columns`
   * fields of the header.
   */
  raggedError(text: string, records: string[][], r: number, row: number, columns: number): InputError {
    this.walk(text, records, r + 1, false);
    // The line where the record ends: the line of its last character.
    const newline = this.newline as Newline;
    let end = this.walkEnd;
    if (text.endsWith(newline, end)) end -= newline.length;
    const line = this.lineAt(text, end - 1);
    const got = (records[r] as string[]).length;
    return new InputError(
      `ragged row ${row} at line ${line}: ${got} fields where the header has ${columns}`,
      'CSV_RAGGED_ROW',
      line,
      row,
    );
  }

  /** The line where records[r] of `text`'s good records starts. */
  startLine(text: string, records: string[][], r: number): number {
    this.walk(text, records, r, false);
    return this.lineAt(text, this.walkEnd);
  }

  /** The line where the text not read yet starts. */
  nextLine(): number {
    return this.linesRead + 1;
  }

  /** The 1-based line of text[pos]. */
  private lineAt(text: string, pos: number): number {
    return this.linesRead + countLines(text, 0, pos) + 1;
  }

  /**
   * Follow records[0, count) through `text` from its start, and return the index of the first
   * that is not exactly what strict RFC 4180 writes for its values, or that is too long; -1 if
   * none. `walkEnd` is then where the records end, `walkFaultStart` where the faulty one starts.
   * With `check` false, only `walkEnd` is computed (the records are known to be good).
   */
  private walk(text: string, records: string[][], count: number, check: boolean): number {
    const bad = this.follow(text, records, count, check, false);
    if (!check) return bad;
    // Every quote must belong to a quoted field: one inside an unquoted field is not allowed.
    // The records before a faulty one are checked for that too, as it would come first.
    const end = bad === -1 ? this.walkEnd : this.walkFaultStart;
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
          if (text.charCodeAt(pos) !== COMMA) return this.walkFaultAt(r, start, Fault.Malformed);
          pos++;
        }
        const value = record[f] as string;
        if (text.charCodeAt(pos) === QUOTE) {
          let inner = 0;
          for (let q = value.indexOf('"'); q !== -1; q = value.indexOf('"', q + 1)) inner++;
          pos += value.length + inner + 2;
          if (text.charCodeAt(pos - 1) !== QUOTE) return this.walkFaultAt(r, start, Fault.Malformed);
          quotes += 2 + 2 * inner;
          if (record.length === 1 && value === '') records[r] = QUOTED_EMPTY;
        } else {
          if (quoteInUnquoted && value.indexOf('"') !== -1)
            return this.walkFaultAt(r, start, Fault.Malformed);
          pos += value.length;
        }
      }
      if (check && pos - start > MAX_RECORD_CHARS) return this.walkFaultAt(r, start, Fault.TooLong);
      if (pos < text.length) {
        if (text.charCodeAt(pos) !== newlineFirst || !text.startsWith(newline, pos)) {
          return this.walkFaultAt(r, start, Fault.Malformed);
        }
        pos += newline.length;
      }
    }
    this.walkEnd = pos;
    this.walkQuotes = quotes;
    return -1;
  }

  private walkFaultAt(record: number, start: number, kind: Fault): number {
    this.walkFaultStart = start;
    this.walkFault = kind;
    return record;
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
