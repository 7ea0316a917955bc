import { describe, expect, it } from 'vitest';
import { DistinctCounter, HyperLogLog } from '../../../src/core/distinct.js';

describe('distinct counting', () => {
  it('counts exactly up to the cap', () => {
    const counter = new DistinctCounter(1_000);
    for (let i = 0; i < 5_000; i++) counter.add(String(i % 1_000));
    expect(counter.result()).toEqual({ distinct: 1_000, exact: true });
  });

  it('counts long values exactly by their hash', () => {
    const counter = new DistinctCounter(1_000);
    const long = 'x'.repeat(500);
    for (let i = 0; i < 300; i++) counter.add(`${long}${i % 100}`);
    expect(counter.result()).toEqual({ distinct: 100, exact: true });
  });

  it('switches to an estimate within 3% once past the cap', () => {
    const counter = new DistinctCounter(10_000);
    for (let i = 0; i < 200_000; i++) counter.add(`value-${i}`);
    for (let i = 0; i < 50_000; i++) counter.add(`value-${i}`); // repeats add nothing
    const { distinct, exact } = counter.result();
    expect(exact).toBe(false);
    expect(Math.abs(distinct - 200_000) / 200_000).toBeLessThan(0.03);
  });

  it.each([
    ['both exact, the union within the cap', 300, 400, 200],
    ['both exact, the union past the cap', 700, 700, 100],
    ['one past the cap', 1_500, 300, 200],
    ['both past the cap', 5_000, 4_000, 3_000],
  ])('merges two counters into the count of one given every value: %s', (_, first, second, overlap) => {
    // The first counter sees values [0, first), the second [first - overlap, first - overlap + second).
    const values = (from: number, count: number) => Array.from({ length: count }, (_, i) => `v${from + i}`);
    const a = values(0, first);
    const b = values(first - overlap, second);
    const one = new DistinctCounter(1_000, 10);
    for (const value of [...a, ...b]) one.add(value);
    const left = new DistinctCounter(1_000, 10);
    const right = new DistinctCounter(1_000, 10);
    for (const value of a) left.add(value);
    for (const value of b) right.add(value);
    // The state crosses threads as a structured clone.
    left.merge(structuredClone(right.state()));
    expect(left.result()).toEqual(one.result());
  });

  it('estimates small and large cardinalities within 3%', () => {
    for (const n of [100, 5_000, 1_000_000]) {
      const sketch = new HyperLogLog();
      for (let i = 0; i < n; i++) sketch.add(`k${i * 7919}`);
      expect(Math.abs(sketch.estimate() - n) / n, `n=${n}`).toBeLessThan(0.03);
    }
  });

  it('keeps hashes, not values: long values fit a table of fixed size', () => {
    const table = new Float64Array(2048);
    const counter = new DistinctCounter(1_000, 14, table);
    const long = 'x'.repeat(10_000);
    for (let i = 0; i < 3_000; i++) counter.add(`${i % 1_000}${long}`);
    expect(counter.result()).toEqual({ distinct: 1_000, exact: true });
    expect(table.filter((slot) => slot !== 0).length).toBe(1_000);
  });

  it('estimates with a small sketch held in the bytes of the exact table', () => {
    const table = new Float64Array(256);
    const counter = new DistinctCounter(128, 11, table);
    for (let i = 0; i < 50_000; i++) counter.add(`value-${i}`);
    const { distinct, exact } = counter.result();
    expect(exact).toBe(false);
    // 2^11 registers: standard error about 2.3%.
    expect(Math.abs(distinct - 50_000) / 50_000).toBeLessThan(0.07);
    expect(new Uint8Array(table.buffer).some((register) => register > 0)).toBe(true);
  });
});
