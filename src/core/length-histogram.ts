/**
 * Read lengths kept as a length → count histogram, so memory is bounded by the number of
 * distinct lengths, not the number of reads. Order statistics are answered by walking the
 * histogram in length order.
 */

/** Lengths below this are counted in a dense array; longer ones in a map. */
const DENSE_LIMIT = 1 << 16;

export interface LengthSummary {
  count: number;
  sum: number;
  min: number;
  max: number;
  q1: number;
  median: number;
  q3: number;
  n50: number;
}

/** A histogram as it crosses threads, to be merged into another (`LengthHistogram.merge`). */
export interface HistogramState {
  /** Counts of the lengths below `DENSE_LIMIT`, by length. */
  dense: Float64Array;
  /** [length, count] of the longer ones. */
  sparse: [number, number][];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export class LengthHistogram {
  private readonly dense = new Float64Array(DENSE_LIMIT);
  private readonly sparse = new Map<number, number>();
  private count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  add(length: number): void {
    if (length < DENSE_LIMIT) {
      this.dense[length] = (this.dense[length] as number) + 1;
    } else {
      this.sparse.set(length, (this.sparse.get(length) ?? 0) + 1);
    }
    this.count++;
    this.sum += length;
    if (length < this.min) this.min = length;
    if (length > this.max) this.max = length;
  }

  state(): HistogramState {
    const { count, sum, min, max } = this;
    return { dense: Float64Array.from(this.dense), sparse: [...this.sparse.entries()], count, sum, min, max };
  }

  /** Adds the lengths of another histogram: the summary is then that of both sets of reads. */
  merge(other: HistogramState): void {
    for (let length = 0; length < DENSE_LIMIT; length++) {
      const count = other.dense[length] as number;
      if (count !== 0) this.dense[length] = (this.dense[length] as number) + count;
    }
    for (const [length, count] of other.sparse)
      this.sparse.set(length, (this.sparse.get(length) ?? 0) + count);
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** Distinct lengths with their counts, shortest first. */
  private entries(): { length: number; count: number }[] {
    const out: { length: number; count: number }[] = [];
    const denseTop = Math.min(this.max, DENSE_LIMIT - 1);
    for (let length = Number.isFinite(this.min) ? this.min : 0; length <= denseTop; length++) {
      const count = this.dense[length] as number;
      if (count > 0) out.push({ length, count });
    }
    const longer = [...this.sparse.entries()].sort((a, b) => a[0] - b[0]);
    for (const [length, count] of longer) out.push({ length, count });
    return out;
  }

  summary(): LengthSummary {
    const n = this.count;
    if (n === 0) return { count: 0, sum: 0, min: 0, max: 0, q1: 0, median: 0, q3: 0, n50: 0 };
    const entries = this.entries();

    // k-th smallest length (0-based) by a walk over cumulative counts; `select` is called with
    // increasing k, so one forward cursor serves all of them.
    let cursor = 0;
    let before = 0; // reads with a length shorter than entries[cursor]
    const select = (k: number): number => {
      for (;;) {
        const entry = entries[cursor] as { length: number; count: number };
        if (k < before + entry.count) return entry.length;
        before += entry.count;
        cursor++;
      }
    };
    const medianOf = (start: number, size: number): number =>
      size % 2 === 1
        ? select(start + (size - 1) / 2)
        : (select(start + size / 2 - 1) + select(start + size / 2)) / 2;

    // Quartiles are medians of the lower and upper halves; with an odd count both halves
    // include the median (Tukey's hinges). This matches `seqkit stats -a` except when every
    // read has the same length, where seqkit prints half the length for Q1 and Q3.
    const half = Math.ceil(n / 2);
    const q1 = medianOf(0, half);
    cursor = 0;
    before = 0;
    const median = medianOf(0, n);
    cursor = 0;
    before = 0;
    const q3 = medianOf(n - half, half);

    let n50 = 0;
    let acc = 0;
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i] as { length: number; count: number };
      acc += entry.length * entry.count;
      if (acc * 2 >= this.sum) {
        n50 = entry.length;
        break;
      }
    }

    return { count: n, sum: this.sum, min: this.min, max: this.max, q1, median, q3, n50 };
  }
}
