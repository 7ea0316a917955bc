/**
 * Counts how often each byte value occurs in many small ranges of a buffer, fast, and tells
 * whether any byte outside an allowed set was seen.
 *
 * Bytes are counted two at a time: a Uint16Array view over the chunk yields each aligned pair
 * of bytes as one 16-bit index into a 65,536-entry pair table (two interleaved tables, so
 * repeats of the same pair do not wait on each other). A byte at an odd edge of a range goes to
 * a 256-entry table. After each chunk, `flush` folds the pairs into per-byte totals; only pairs
 * of two allowed bytes are visited (e.g. 94² for qualities, not 65,536), and bytes outside the
 * set show up as a shortfall between the pairs folded and the pairs counted.
 */

const PAIRS = 1 << 16;

export class ByteCounter {
  private readonly pairs = new Int32Array(2 * PAIRS);
  private readonly singles = new Int32Array(256);
  private readonly totals = new Float64Array(256);
  /** Pairs counted since the last flush. */
  private pairCount = 0;
  private readonly allowedList: Uint8Array;
  private words: Uint16Array<ArrayBufferLike> = new Uint16Array(0);
  /** 1 when the current chunk starts at an odd address, so its byte i is word byte i + 1. */
  private base = 0;

  /** @param allowed allowed[b] is 1 for an allowed byte value, 0 otherwise */
  constructor(private readonly allowed: Uint8Array) {
    const list: number[] = [];
    for (let b = 0; b < 256; b++) if (allowed[b] === 1) list.push(b);
    this.allowedList = Uint8Array.from(list);
  }

  /** Point the counter at the chunk whose ranges are counted next. */
  setChunk(buf: Buffer): void {
    this.base = buf.byteOffset & 1;
    this.words = new Uint16Array(buf.buffer, buf.byteOffset - this.base, (buf.length + this.base) >>> 1);
  }

  /** Count bytes [start, end) of the chunk given to `setChunk`. */
  count(buf: Buffer, start: number, end: number): void {
    const base = this.base;
    const singles = this.singles;
    let i = start;
    if (i < end && ((i + base) & 1) !== 0) {
      singles[buf[i]!]!++;
      i++;
    }
    const first = (i + base) >>> 1;
    const last = (end + base) >>> 1; // words [first, last) lie wholly inside [i, end)
    const words = this.words;
    const pairs = this.pairs;
    let k = first;
    for (; k + 1 < last; k += 2) {
      pairs[words[k]!]!++;
      pairs[PAIRS + words[k + 1]!]!++;
    }
    if (k < last) pairs[words[k]!]!++;
    if (last > first) this.pairCount += last - first;
    if (((end + base) & 1) !== 0 && end - 1 >= i) singles[buf[end - 1]!]!++;
  }

  /**
   * Fold the counts since the last flush into the totals and clear them. Returns false if a
   * byte outside the allowed set was counted; the totals are then meaningless.
   */
  flush(): boolean {
    const pairs = this.pairs;
    const totals = this.totals;
    const list = this.allowedList;
    let allowedPairs = 0;
    for (let x = 0; x < list.length; x++) {
      const a = list[x] as number;
      const high = a << 8;
      for (let y = 0; y < list.length; y++) {
        const b = list[y] as number;
        const index = high | b;
        const count = (pairs[index] as number) + (pairs[PAIRS + index] as number);
        if (count !== 0) {
          totals[a] = (totals[a] as number) + count;
          totals[b] = (totals[b] as number) + count;
          pairs[index] = 0;
          pairs[PAIRS + index] = 0;
          allowedPairs += count;
        }
      }
    }
    let clean = allowedPairs === this.pairCount;
    this.pairCount = 0;
    const singles = this.singles;
    for (let b = 0; b < 256; b++) {
      const count = singles[b] as number;
      if (count !== 0) {
        if (this.allowed[b] === 0) clean = false;
        totals[b] = (totals[b] as number) + count;
        singles[b] = 0;
      }
    }
    return clean;
  }

  /** How many times `byte` was counted (flushed counts only). */
  total(byte: number): number {
    return this.totals[byte] as number;
  }

  /** A copy of the flushed totals, by byte value, to be added to another counter's (`addTotals`). */
  totalsState(): Float64Array {
    return Float64Array.from(this.totals);
  }

  addTotals(totals: Float64Array): void {
    for (let b = 0; b < 256; b++) this.totals[b] = (this.totals[b] as number) + (totals[b] as number);
  }
}
