/**
 * Streaming FASTQ statistics (four-line records, Phred+33 qualities).
 *
 * Speed comes from a few habits: line ends are found with `Buffer.indexOf(10)` (memchr), bytes
 * are counted into tables (two at a time, see ByteCounter) instead of being classified one by
 * one, and validation is done on the tables once per chunk. Records lying wholly inside a chunk
 * go through a tight loop (`scanWholeRecords`); the rest, line by line. The hot methods
 * allocate nothing.
 *
 * Lines are handled as fragments (a line may span chunks), so memory does not depend on line
 * or read length; a line longer than `MAX_LINE_BYTES` is still rejected as malformed.
 *
 * When a chunk holds an error, it is scanned again from a snapshot of the parser state in a
 * strict mode that checks byte by byte, so the error names the first bad line exactly.
 */
import { InputError } from './api.js';
import { ByteCounter } from './byte-counter.js';
import { LengthHistogram, type HistogramState } from './length-histogram.js';
import type { FastqStats } from './report.js';

/** Longest accepted line, in bytes (a long-read FASTQ line is a few MiB at most). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** The parser takes its input in chunks of at least this size (see coalesce.ts). */
export const FASTQ_CHUNK_BYTES = 1 << 20;

const AT = 64; // '@'
const PLUS = 43; // '+'
const CR = 13;
const LF = 10;
const PHRED_OFFSET = 33;

/** Sequence letters we accept: IUPAC codes are letters, plus `-` and `.` for gaps. */
const SEQ_VALID = byteSet((b) => (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 45 || b === 46);
/** Phred+33 qualities: `!` (Q0) to `~` (Q93). */
const QUAL_VALID = byteSet((b) => b >= 33 && b <= 126);

const enum Phase {
  Header = 0,
  Sequence = 1,
  Separator = 2,
  Quality = 3,
}

interface ParserState {
  phase: Phase;
  line: number;
  record: number;
  lineLen: number;
  lineFirst: number;
  pendingCR: boolean;
  seqLen: number;
  blankLine: number;
}

/** What a parser has counted, as it crosses threads, to be merged into another (`FastqParser.merge`). */
export interface FastqState {
  sequence: Float64Array;
  quality: Float64Array;
  lengths: HistogramState;
}

export class FastqParser {
  // Byte counts of sequence and quality lines; flushed into totals after every chunk.
  private readonly seq = new ByteCounter(SEQ_VALID);
  private readonly qual = new ByteCounter(QUAL_VALID);
  /** Carriage returns found inside a line (not before its LF) since the last flush. */
  private strayCR = 0;

  private phase: Phase = Phase.Header;
  /** 1-based number of the line being read. */
  private line = 1;
  /** 1-based number of the record being read (or last read). */
  private record = 0;
  /** Bytes of the current line seen so far, a trailing CR included. */
  private lineLen = 0;
  /** First byte of the current line, -1 before it is seen. */
  private lineFirst = -1;
  /** The last byte seen of the current line was a CR, not counted yet. */
  private pendingCR = false;
  private seqLen = 0;
  /** Line number of a blank line met between records, 0 if none is pending. */
  private blankLine = 0;

  private readonly lengths = new LengthHistogram();

  /** Feed the next chunk of uncompressed FASTQ. Throws InputError on malformed input. */
  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const snapshot = this.snapshot();
    this.seq.setChunk(buf);
    this.qual.setChunk(buf);
    try {
      this.scan(buf, false);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      // A bad byte earlier in the chunk than the structural error takes precedence.
      this.restore(snapshot);
      this.scan(buf, true);
      throw error;
    }
    if (!this.flush()) {
      this.restore(snapshot);
      this.scan(buf, true);
      throw new Error('FASTQ parser: an invalid byte was counted but not located');
    }
  }

  /**
   * Whether the input so far ends where a record may start: after a whole record's line end, no
   * blank line pending. A reading from the start is then in the state a new parser starts in
   * (but for its line and record numbers), so the rest of the input may be read by another.
   */
  get atRecordStart(): boolean {
    return this.phase === Phase.Header && this.lineLen === 0 && this.blankLine === 0 && !this.pendingCR;
  }

  /** What has been counted so far (of whole records: call it at a record's start). */
  state(): FastqState {
    return {
      sequence: this.seq.totalsState(),
      quality: this.qual.totalsState(),
      lengths: this.lengths.state(),
    };
  }

  /** Adds the counts of a parser that read other records of the same input. */
  merge(other: FastqState): void {
    this.seq.addTotals(other.sequence);
    this.qual.addTotals(other.quality);
    this.lengths.merge(other.lengths);
  }

  /**
   * Finish the input and compute the statistics. Throws InputError if it is truncated. An input
   * with no record is a report of zero reads, as seqkit gives it: demultiplexing writes empty
   * files routinely, and a run folder's empty sample is a result, not a failure.
   */
  finish(): FastqStats {
    if (this.lineLen > 0) {
      if (this.phase === Phase.Quality && this.lineLen - (this.pendingCR ? 1 : 0) < this.seqLen) {
        throw new InputError(
          `truncated FASTQ: record ${this.record} ends inside its quality line (line ${this.line})`,
          'FASTQ_TRUNCATED',
          this.line,
          this.record,
        );
      }
      this.endLine();
    }
    if (this.phase !== Phase.Header) {
      const lastLine = this.line - 1;
      throw new InputError(
        `truncated FASTQ: record ${this.record} is incomplete at the end of the input (line ${lastLine})`,
        'FASTQ_TRUNCATED',
        lastLine,
        this.record,
      );
    }
    const summary = this.lengths.summary();

    const s = this.seq;
    const q = this.qual;
    const bases = summary.sum;
    const gc = s.total(71) + s.total(103) + s.total(67) + s.total(99); // G g C c
    const n = s.total(78) + s.total(110); // N n
    const gaps = s.total(45) + s.total(46); // - .
    let q20 = 0;
    let q30 = 0;
    let qualitySum = 0;
    for (let b = 33; b <= 126; b++) {
      const count = q.total(b);
      if (count === 0) continue;
      const phred = b - PHRED_OFFSET;
      if (phred >= 20) q20 += count;
      if (phred >= 30) q30 += count;
      qualitySum += phred * count;
    }
    // Ratios are written as (count / bases) * 100, the order seqkit uses, so that rounding
    // this value as seqkit does gives seqkit's printed digits.
    const percent = (count: number): number => (bases === 0 ? 0 : (count / bases) * 100);
    return {
      reads: summary.count,
      bases,
      minLength: summary.min,
      maxLength: summary.max,
      meanLength: summary.count === 0 ? 0 : bases / summary.count,
      q1Length: summary.q1,
      medianLength: summary.median,
      q3Length: summary.q3,
      n50: summary.n50,
      gcPercent: percent(gc),
      nPercent: percent(n),
      gaps,
      q20Percent: percent(q20),
      q30Percent: percent(q30),
      meanQuality: bases === 0 ? 0 : qualitySum / bases,
    };
  }

  private scan(buf: Buffer, strict: boolean): void {
    const size = buf.length;
    let pos = 0;
    while (pos < size) {
      if (!strict && this.phase === Phase.Header && this.lineLen === 0 && this.blankLine === 0) {
        pos = this.scanWholeRecords(buf, pos);
        if (pos >= size) break;
      }
      const lf = buf.indexOf(LF, pos);
      const end = lf === -1 ? size : lf;
      if (end > pos) this.fragment(buf, pos, end, strict);
      if (lf === -1) break;
      this.endLine();
      pos = lf + 1;
    }
  }

  /**
   * Fast path: consume complete, well-formed records lying wholly inside `buf` from `pos`, and
   * return where it stopped. It stops, without consuming anything, at the first record that
   * is not wholly inside the buffer or does not look right; the line-by-line path then takes
   * that record and reports any error precisely. Bytes it counts are still validated by the
   * per-chunk table check. The quality line is not searched for: its LF must sit right after
   * as many bytes as the sequence has.
   */
  private scanWholeRecords(buf: Buffer, pos: number): number {
    const size = buf.length;
    const seq = this.seq;
    const qual = this.qual;
    const lengths = this.lengths;
    let records = 0;
    while (pos < size && buf[pos] === AT) {
      const headerEnd = buf.indexOf(LF, pos);
      if (headerEnd === -1) break;
      const seqStart = headerEnd + 1;
      const seqLf = buf.indexOf(LF, seqStart);
      if (seqLf === -1) break;
      const plusStart = seqLf + 1;
      if (plusStart >= size || buf[plusStart] !== PLUS) break;
      // The separator is nearly always a bare '+': look for its LF only when it is not.
      const plusEnd = buf[plusStart + 1] === LF ? plusStart + 1 : buf.indexOf(LF, plusStart);
      if (plusEnd === -1) break;
      const seqEnd = seqLf > seqStart && buf[seqLf - 1] === CR ? seqLf - 1 : seqLf;
      const length = seqEnd - seqStart;
      const qualStart = plusEnd + 1;
      const qualEnd = qualStart + length;
      let next: number;
      if (qualEnd < size && buf[qualEnd] === LF) next = qualEnd + 1;
      else if (qualEnd + 1 < size && buf[qualEnd] === CR && buf[qualEnd + 1] === LF) next = qualEnd + 2;
      else break;
      if (next - pos > MAX_LINE_BYTES) break;
      seq.count(buf, seqStart, seqEnd);
      qual.count(buf, qualStart, qualEnd);
      lengths.add(length);
      records++;
      pos = next;
    }
    this.record += records;
    this.line += 4 * records;
    return pos;
  }

  /** Bytes [start, end) of the current line, with no LF among them. */
  private fragment(buf: Buffer, start: number, end: number, strict: boolean): void {
    const before = this.lineLen;
    const counted = this.phase === Phase.Sequence || this.phase === Phase.Quality;
    if (before === 0) {
      this.lineFirst = buf[start] as number;
    } else if (this.pendingCR) {
      // The CR that ended the previous fragment was not followed by LF: it is inside the line.
      if (counted) {
        if (strict) this.invalidByte(CR, before - 1);
        this.strayCR++;
      }
    }
    this.lineLen = before + (end - start);
    if (this.lineLen > MAX_LINE_BYTES) throw lineTooLong(this.line, this.record);
    // A CR right before the LF is part of the line ending; hold it back until the LF shows.
    this.pendingCR = buf[end - 1] === CR;
    if (!counted) return;
    const countEnd = this.pendingCR ? end - 1 : end;
    const counter = this.phase === Phase.Sequence ? this.seq : this.qual;
    if (strict)
      this.validate(buf, start, countEnd, before, this.phase === Phase.Sequence ? SEQ_VALID : QUAL_VALID);
    counter.count(buf, start, countEnd);
  }

  /** The current line ended (at an LF, or at the end of the input). */
  private endLine(): void {
    // Error messages are built in separate functions: template literals here make V8 allocate
    // on every call of this hot method, even when nothing is thrown.
    const length = this.lineLen - (this.pendingCR ? 1 : 0);
    const first = length > 0 ? this.lineFirst : -1;
    switch (this.phase) {
      case Phase.Header:
        if (length === 0) {
          if (this.blankLine === 0) this.blankLine = this.line;
          break;
        }
        if (this.blankLine !== 0) throw badHeader(this.blankLine, this.record + 1, -1);
        if (first !== AT) throw badHeader(this.line, this.record + 1, first);
        this.record++;
        this.phase = Phase.Sequence;
        break;
      case Phase.Sequence:
        this.seqLen = length;
        this.phase = Phase.Separator;
        break;
      case Phase.Separator:
        if (first !== PLUS) throw missingSeparator(this.line, this.record, first);
        this.phase = Phase.Quality;
        break;
      case Phase.Quality:
        if (length !== this.seqLen) throw lengthMismatch(this.line, this.record, this.seqLen, length);
        this.lengths.add(length);
        this.phase = Phase.Header;
        break;
    }
    this.line++;
    this.lineLen = 0;
    this.lineFirst = -1;
    this.pendingCR = false;
  }

  /** Throw at the first byte of [start, end) outside `valid`; `column0` is the 0-based column of `start`. */
  private validate(buf: Buffer, start: number, end: number, column0: number, valid: Uint8Array): void {
    for (let i = start; i < end; i++) {
      const b = buf[i] as number;
      if (valid[b] === 0) this.invalidByte(b, column0 + (i - start));
    }
  }

  private invalidByte(byte: number, column: number): never {
    const what = this.phase === Phase.Sequence ? 'sequence' : 'quality';
    const shown =
      byte >= 33 && byte <= 126
        ? `'${String.fromCharCode(byte)}'`
        : `byte 0x${byte.toString(16).padStart(2, '0')}`;
    throw new InputError(
      `invalid ${what} character ${shown} at line ${this.line}, column ${column + 1} (record ${this.record})`,
      this.phase === Phase.Sequence ? 'FASTQ_INVALID_SEQUENCE' : 'FASTQ_INVALID_QUALITY',
      this.line,
      this.record,
    );
  }

  /** Fold this chunk's counts into the totals; false if it held a byte that is not allowed. */
  private flush(): boolean {
    const strayCR = this.strayCR;
    this.strayCR = 0;
    const seqClean = this.seq.flush();
    const qualClean = this.qual.flush();
    return strayCR === 0 && seqClean && qualClean;
  }

  private snapshot(): ParserState {
    return {
      phase: this.phase,
      line: this.line,
      record: this.record,
      lineLen: this.lineLen,
      lineFirst: this.lineFirst,
      pendingCR: this.pendingCR,
      seqLen: this.seqLen,
      blankLine: this.blankLine,
    };
  }

  private restore(state: ParserState): void {
    this.phase = state.phase;
    this.line = state.line;
    this.record = state.record;
    this.lineLen = state.lineLen;
    this.lineFirst = state.lineFirst;
    this.pendingCR = state.pendingCR;
    this.seqLen = state.seqLen;
    this.blankLine = state.blankLine;
  }
}

function byteSet(accept: (byte: number) => boolean): Uint8Array {
  const set = new Uint8Array(256);
  for (let b = 0; b < 256; b++) set[b] = accept(b) ? 1 : 0;
  return set;
}

function badHeader(line: number, record: number, first: number): InputError {
  return new InputError(
    `bad FASTQ header at line ${line} (record ${record}): expected a line starting with '@', found ${describeStart(first)}`,
    'FASTQ_BAD_HEADER',
    line,
    record,
  );
}

function missingSeparator(line: number, record: number, first: number): InputError {
  return new InputError(
    `missing '+' separator at line ${line} (record ${record}): found ${describeStart(first)}`,
    'FASTQ_MISSING_SEPARATOR',
    line,
    record,
  );
}

function lengthMismatch(line: number, record: number, bases: number, qualities: number): InputError {
  return new InputError(
    `sequence and quality lengths differ in record ${record} (line ${line}): ${bases} bases, ${qualities} qualities`,
    'FASTQ_LENGTH_MISMATCH',
    line,
    record,
  );
}

function lineTooLong(line: number, record: number): InputError {
  return new InputError(
    `line ${line} is longer than ${MAX_LINE_BYTES} bytes`,
    'LINE_TOO_LONG',
    line,
    record > 0 ? record : undefined,
  );
}

function describeStart(first: number): string {
  if (first === -1) return 'an empty line';
  if (first >= 32 && first <= 126) return `'${String.fromCharCode(first)}'`;
  return `byte 0x${first.toString(16).padStart(2, '0')}`;
}
