/**
 * Cuts a CSV's bytes into segments of whole records, so that two threads can each profile every
 * other segment (csv-two-threads.ts). A segment ends just after a line feed outside quotes:
 * counting quotes from the start of the input tells which line feeds those are, as every quoted
 * field of well-formed CSV holds an even number of quotes. Bad quoting can put a cut inside a
 * record; the segment holding the first fault is still cut right at its start, which is all the
 * profile needs to report that fault as a reading from the start would.
 */
import { BufferPool } from './chunk-channel.js';

const QUOTE = 34; // '"'
const LF = 10;

export class RecordSegmenter {
  private quoted = false;
  /** The segment being collected: `buffer[0, length)`. */
  private buffer: Uint8Array | undefined;
  private length = 0;
  private readonly pool = new BufferPool(4);

  /** @param minBytes the size a segment reaches before it ends at the next line feed outside quotes */
  constructor(private readonly minBytes: number) {}

  /** Bytes collected since the last segment ended. */
  get pendingBytes(): number {
    return this.length;
  }

  /**
   * Takes `chunk` (copied: the caller may reuse it) and returns the segments it completes, each
   * in a buffer of its own that the caller may keep, transfer, or hand back with `recycle`.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const segments: Uint8Array[] = [];
    const n = chunk.length;
    let start = 0; // chunk[start, n) belongs to the segment being collected
    let at = 0;
    let lineFeed = -2; // the first line feed at or after the last search, -1 if none is left
    while (at < n) {
      const quote = chunk.indexOf(QUOTE, at);
      const stretchEnd = quote === -1 ? n : quote;
      if (!this.quoted) {
        // A line feed at `from` or later ends a segment of at least `minBytes`.
        const from = Math.max(at, start + this.minBytes - this.length - 1);
        if (from < stretchEnd && lineFeed !== -1) {
          if (lineFeed < from) lineFeed = chunk.indexOf(LF, from);
          if (lineFeed !== -1 && lineFeed < stretchEnd) {
            this.append(chunk.subarray(start, lineFeed + 1));
            segments.push(this.take());
            start = at = lineFeed + 1;
            continue;
          }
        }
      }
      if (quote === -1) break;
      this.quoted = !this.quoted;
      at = quote + 1;
    }
    this.append(chunk.subarray(start));
    return segments;
  }

  /** The bytes collected since the last segment: the input's last segment (possibly empty). */
  end(): Uint8Array {
    return this.take();
  }

  /** A segment's buffer, to be filled again. */
  recycle(buffer: ArrayBuffer): void {
    this.pool.give(buffer);
  }

  private append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const needed = this.length + bytes.length;
    if (this.buffer === undefined || needed > this.buffer.length) {
      const grown = new Uint8Array(this.pool.take(Math.max(needed, 2 * this.minBytes, 2 * this.length)));
      if (this.buffer !== undefined) grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.length);
    this.length = needed;
  }

  private take(): Uint8Array {
    const segment = this.buffer === undefined ? new Uint8Array(0) : this.buffer.subarray(0, this.length);
    this.buffer = undefined;
    this.length = 0;
    return segment;
  }
}
