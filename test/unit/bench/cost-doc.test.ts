import { describe, expect, it } from 'vitest';
import { decadeRange, escapeXml, renderChart } from '../../../bench/lib/chart.js';
import {
  formatBytes,
  formatDollars,
  formatDuration,
  renderCostChart,
  renderCostDoc,
  TABLE_SIZES,
} from '../../../bench/lib/cost-doc.js';
import type { Calibration } from '../../../bench/lib/cost.js';

const cal: Calibration & { measuredOn: string } = {
  measuredOn: 'test machine',
  startupSeconds: 2,
  throughput: {
    fastq: { bytesPerSecond: 600e6, gzipBytesPerSecond: 250e6, gzipExpansion: 5.4 },
    csv: { bytesPerSecond: 60e6, gzipBytesPerSecond: 50e6, gzipExpansion: 7.5 },
  },
};

describe('formatting', () => {
  it('prints sizes in decimal units', () => {
    expect(formatBytes(1e6)).toBe('1 MB');
    expect(formatBytes(3e9)).toBe('3 GB');
    expect(formatBytes(5.64e9)).toBe('5.64 GB');
    expect(formatBytes(12.5e9)).toBe('12.5 GB');
    expect(formatBytes(180e9)).toBe('180 GB');
    expect(formatBytes(512)).toBe('512 B');
  });

  it('prints dollars to three significant digits, never in exponent notation', () => {
    expect(formatDollars(0.0000271)).toBe('$0.0000271');
    expect(formatDollars(0.00123)).toBe('$0.00123');
    expect(formatDollars(0.5)).toBe('$0.500');
    expect(formatDollars(12.345)).toBe('$12.35');
  });

  it('prints durations in s, min or h', () => {
    expect(formatDuration(2.04)).toBe('2.0 s');
    expect(formatDuration(35.2)).toBe('35 s');
    expect(formatDuration(336)).toBe('5.6 min');
    expect(formatDuration(6840)).toBe('1.9 h');
  });

  it('steps the tables 1, 3, 10 … from 1 MB to 100 GB', () => {
    expect(TABLE_SIZES).toEqual([1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e11]);
  });
});

describe('renderCostDoc', () => {
  const doc = renderCostDoc({
    cal,
    routing: { lambdaMaxBytes: () => 12.5e9, description: 'test policy' },
  });

  it('states the prices with their date and region', () => {
    expect(doc).toContain('Published prices as of November 2026, us-east-1');
    expect(doc).toContain('$0.0000133334 per GB-second');
  });

  it('has a break-even row per workload and a table per workload', () => {
    for (const name of ['FASTQ.gz', 'FASTQ', 'CSV.gz', 'CSV']) {
      expect(doc).toMatch(new RegExp(`^\\| ${name.replace('.', '\\.')}\\s+\\|`, 'm'));
      expect(doc).toContain(`## ${name}\n`);
    }
  });

  it('marks sizes Lambda cannot finish in 15 minutes', () => {
    // CSV.gz, 100 GB × 7.5 at 50 MB/s is over four hours.
    const csvGz = doc.slice(doc.indexOf('## CSV.gz'), doc.indexOf('## CSV\n'));
    expect(csvGz).toMatch(/\| 100 GB\s+\|\s+— \|/);
  });
});

describe('renderChart', () => {
  it('draws one line per series, with escaped labels and a legend', () => {
    const svg = renderChart(
      [
        {
          title: 'A & B',
          series: [
            {
              name: 'one',
              color: '#f00',
              points: [
                { x: 1e6, y: 1e-4 },
                { x: 1e9, y: 1e-2 },
              ],
              endMark: true,
            },
            {
              name: 'two <spot>',
              color: '#00f',
              dashed: true,
              points: [
                { x: 1e6, y: 1e-3 },
                { x: 1e9, y: 1e-3 },
              ],
            },
          ],
          markers: [{ x: 1e8, label: 'break-even' }],
        },
      ],
      { title: 't', xLabel: 'x', yLabel: 'y', formatX: String, formatY: String },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('two &lt;spot&gt;');
    expect(svg).toContain('stroke-dasharray="7 5"');
    expect(svg).toContain('break-even');
  });

  it('spans whole decades', () => {
    expect(decadeRange(2e6, 3e10)).toEqual({ low: 6, high: 11 });
    expect(() => decadeRange(0, 1)).toThrowError(/bad range/);
    expect(escapeXml('"a"')).toBe('&quot;a&quot;');
  });

  it('renders the cost chart with four panels and twelve options each', () => {
    const svg = renderCostChart(cal);
    expect(svg.match(/<polyline /g)).toHaveLength(48);
    expect(svg).toContain('Published prices as of November 2026');
  });
});
