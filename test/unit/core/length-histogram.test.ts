import { describe, expect, it } from 'vitest';
import { LengthHistogram } from '../../../src/core/length-histogram.js';
import { Prng } from '../../../local/synthetic-inputs.js';

function summaryOf(lengths: number[]) {
  const histogram = new LengthHistogram();
  for (const length of lengths) histogram.add(length);
  return histogram.summary();
}

/** Tukey's hinges and N50 straight from a sorted array. */
function naive(lengths: number[]) {
  const xs = [...lengths].sort((a, b) => a - b);
  const median = (ys: number[]) => {
    const m = Math.floor(ys.length / 2);
    return ys.length % 2 ? (ys[m] as number) : ((ys[m - 1] as number) + (ys[m] as number)) / 2;
  };
  const half = Math.ceil(xs.length / 2);
  const sum = xs.reduce((a, b) => a + b, 0);
  let acc = 0;
  let n50 = 0;
  for (let i = xs.length - 1; i >= 0 && n50 === 0; i--) {
    acc += xs[i] as number;
    if (2 * acc >= sum) n50 = xs[i] as number;
  }
  return { q1: median(xs.slice(0, half)), median: median(xs), q3: median(xs.slice(xs.length - half)), n50 };
}

describe('length histogram', () => {
  it('computes quartiles as medians of the lower and upper halves (odd count includes the median)', () => {
    expect(summaryOf([1, 2, 3, 4, 5, 6, 7])).toMatchObject({ q1: 2.5, median: 4, q3: 5.5 });
    expect(summaryOf([1, 2, 3, 4, 5, 6, 7, 8])).toMatchObject({ q1: 2.5, median: 4.5, q3: 6.5 });
  });

  it('gives the length itself for every quartile when all lengths are equal', () => {
    expect(summaryOf([76, 76, 76])).toMatchObject({ q1: 76, median: 76, q3: 76, n50: 76, min: 76, max: 76 });
    expect(summaryOf([9])).toMatchObject({ q1: 9, median: 9, q3: 9, n50: 9 });
  });

  it('computes N50 as the length at which the longest reads reach half the bases', () => {
    expect(summaryOf([2, 3, 4, 5, 6, 7, 8, 9, 10]).n50).toBe(8);
    expect(summaryOf([1, 1, 1, 1, 4]).n50).toBe(4);
  });

  it('agrees with sorting every length, for short and very long lengths alike', () => {
    const prng = new Prng(99);
    for (const [count, max] of [
      [2, 10],
      [11, 10],
      [1_000, 300],
      [5_001, 200_000],
      [20_000, 5_000_000],
    ] as const) {
      const lengths = Array.from({ length: count }, () => prng.int(0, max));
      expect(summaryOf(lengths)).toMatchObject(naive(lengths));
    }
  });

  it('returns zeros when nothing was added', () => {
    expect(summaryOf([])).toEqual({ count: 0, sum: 0, min: 0, max: 0, q1: 0, median: 0, q3: 0, n50: 0 });
  });
});
