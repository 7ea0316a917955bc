import { describe, expect, it } from 'vitest';
import { barChart, niceTicks, rangeChart } from '../../../src/cli/svg-charts.js';

const widths = (svg: string) =>
  [...svg.matchAll(/<rect class="bar"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1]));

describe('chart axes', () => {
  it('steps by 1, 2 or 5 times a power of ten up to at least the largest value', () => {
    expect(niceTicks(1_200)).toEqual([0, 500, 1_000, 1_500]);
    expect(niceTicks(100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(151)).toEqual([0, 50, 100, 150, 200]);
  });

  it('never steps by less than one, since it counts reads and bases', () => {
    expect(niceTicks(1)).toEqual([0, 1]);
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
  });

  it('gives an axis to a chart whose values are all zero', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe('bar chart', () => {
  const chart = (max?: number) =>
    barChart({
      title: 'Reads',
      rows: [
        { label: 'a', value: 50, text: '50' },
        { label: 'b', value: 100, text: '100' },
      ],
      format: String,
      ...(max === undefined ? {} : { max }),
    });

  it('draws bars in proportion to their values', () => {
    const [a, b] = widths(chart());
    expect(b).toBeGreaterThan(0);
    expect(a).toBeCloseTo((b as number) / 2, 0);
  });

  it('draws on the fixed axis when given one', () => {
    expect(widths(chart(200))).toEqual(widths(chart(100)).map((w) => w / 2));
  });

  it('grows by a row per sample', () => {
    const height = (svg: string) => Number(/height="(\d+)"/.exec(svg)?.[1]);
    const one = barChart({ title: 't', rows: [{ label: 'a', value: 1, text: '1' }], format: String });
    expect(height(chart()) - height(one)).toBe(20);
  });

  it('escapes labels and keeps the whole of a long one in its tooltip', () => {
    const label = `run1/${'x'.repeat(40)}/<b>&"'.fq`;
    const svg = barChart({ title: '<t>', rows: [{ label, value: 1, text: '1 & 2' }], format: String });
    expect(svg).not.toMatch(/<b>|&"|<t>/);
    expect(svg).toContain('<title>run1/xxxxxxxx');
    expect(svg).toContain('&lt;b&gt;&amp;&quot;&#39;.fq</text>');
    expect(svg).toContain('>…');
    expect(svg).toContain('1 &amp; 2');
  });
});

describe('range chart', () => {
  it('draws a line from the shortest to the longest read with the mean and N50 on it', () => {
    const svg = rangeChart({
      title: 'Length',
      rows: [{ label: 'a', min: 0, max: 100, mean: 50, n50: 75 }],
      format: String,
    });
    const x = (pattern: RegExp) => Number(pattern.exec(svg)?.[1]);
    const from = x(/class="range" x1="([\d.]+)"/);
    const to = x(/class="range" x1="[\d.]+" x2="([\d.]+)"/);
    expect(x(/class="mean" cx="([\d.]+)"/)).toBeCloseTo((from + to) / 2, 0);
    expect(x(/class="n50" x1="([\d.]+)"/)).toBeCloseTo(from + ((to - from) * 3) / 4, 0);
  });
});
