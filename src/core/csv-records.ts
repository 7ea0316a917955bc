/**
 * Reads CSV records from bytes pushed a slice at a time: decodes them as UTF-8, parses the text
 * with Papa Parse's core parser (RFC 4180 quoting), has the records checked by an
 * `Rfc4180Checker`, hands the good ones to a `RecordSink` and carries the unfinished record
 * over to the next push. Memory stays bounded: the unfinished record is held to the limits of
 * `csv-limits.ts`.
 */
import { StringDecoder } from 'node:string_decoder';
import Papa from 'papaparse';
import {
  MAX_COLUMNS,
  MAX_HEADER_CHARS,
  MAX_RECORD_CHARS,
  headerTooLong,
  recordTooLong,
  tooManyColumns,
} from './csv-limits.js';
import { Fault, type Rfc4180Checker } from './csv-rfc4180.js';

/** Where a `CsvRecordReader` hands its records, a batch at a time. */
export interface RecordSink {
  /**
   * Take records[0, count), parsed from `text`. An empty line comes as `['']`; a line holding
   * only a quoted empty field, as `QUOTED_EMPTY` when `text` holds a quote.
   */
  take(records: string[][], count: number, text: string): void;
  /**
   * The row number of the next record, or undefined while the header is still to come: errors
   * name it, and until then the unfinished record is held to the header's limits.
   */
  nextRecord(): number | undefined;
}

export class CsvRecordReader {
  private readonly decoder = new StringDecoder('utf8');
  private started = false;
  private parser: Papa.Parser | undefined;
  /** Text not parsed yet: the start of an unfinished record, then the text decoded since. */
  private text = '';
  /** Length of `text` at the last parse: how long the unfinished record already is. */
  private pendingChars = 0;

  /**
   * @param startOfInput whether the text is the start of the input, where a byte-order mark is
   *   dropped (false for a later part, where it is a character of a value)
   */
  constructor(
    private readonly checker: Rfc4180Checker,
    private readonly sink: RecordSink,
    private readonly startOfInput = true,
  ) {}

  push(bytes: Uint8Array): void {
    this.append(this.decoder.write(bytes));
    // Parse once the new text is at least as long as the unfinished record: Papa Parse reads a
    // record from its start on each call, and this way a long one costs about twice its length.
    if (this.text.length - this.pendingChars >= Math.max(this.pendingChars, 1)) this.parse(false);
  }

  /** The input has ended: read the records left. */
  finish(): void {
    this.append(this.decoder.end());
    this.parse(true);
  }

  private append(text: string): void {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (this.startOfInput && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte-order mark
    }
    if (text.length > 0) this.text = this.text.length === 0 ? text : this.text + text;
  }

  private parse(final: boolean): void {
    const checker = this.checker;
    if (this.parser === undefined) {
      if (!checker.detectNewline(this.text, final)) {
        this.pendingChars = this.text.length;
        this.checkPending();
        return;
      }
      this.parser = new Papa.Parser({ delimiter: ',', newline: checker.newline, quoteChar: '"' });
    }
    const text = this.text;
    const { data, errors, meta } = parseWith(this.parser, text, !final);

    // Records are taken in order up to the first fault, which is then reported.
    let count = data.length;
    let fault = Fault.None;
    const first = errors[0];
    if (first !== undefined) {
      count = Math.min(count, first.row ?? 0);
      fault = first.code === 'MissingQuotes' ? Fault.Unterminated : Fault.Malformed;
    }
    count = checker.check(text, data, count, fault, meta.cursor, final);
    this.sink.take(data, count, text);
    if (checker.faulty()) throw checker.faultError(text, this.sink.nextRecord());

    const end = checker.end();
    checker.advance(text, end);
    this.text = text.slice(end);
    this.pendingChars = this.text.length;
    this.checkPending();
  }

  /** Limits on the unfinished record at the end of the text. */
  private checkPending(): void {
    const pending = this.pendingChars;
    const record = this.sink.nextRecord();
    if (record === undefined && pending > MAX_HEADER_CHARS) {
      const line = this.checker.nextLine();
      // The header is not complete: count the fields it has so far.
      const newline = this.checker.newline ?? '\n';
      const parser = new Papa.Parser({ delimiter: ',', newline, quoteChar: '"' });
      const fields = parseWith(parser, this.text, false).data[0]?.length ?? 1;
      throw fields > MAX_COLUMNS ? tooManyColumns(fields, line, true) : headerTooLong(line);
    }
    if (pending > MAX_RECORD_CHARS) throw recordTooLong(this.checker.nextLine(), record);
  }
}

/**
 * One pass of Papa Parse's core `Parser` (what its own streamers are built on) over `text`; with
 * `ignoreLastRow` it stops before a last record that may continue in text not seen yet. Its
 * `parse` is typed `any` upstream: the result is a `ParseResult` of string records.
 */
function parseWith(parser: Papa.Parser, text: string, ignoreLastRow: boolean): Papa.ParseResult<string[]> {
  return parser.parse(text, 0, ignoreLastRow) as Papa.ParseResult<string[]>;
}
