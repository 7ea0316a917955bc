import { describe, expect, it } from 'vitest';
import {
  conservativeExpansion,
  deriveCalibration,
  rateOf,
  REAL_SAMPLE_EXPANSIONS,
  type CoreMeasurement,
} from '../../../bench/lib/calibration.js';

const GB = 1e9;

function m(format: 'fastq' | 'csv', gzip: boolean, cpus: number, seconds: number[]): CoreMeasurement {
  return { format, gzip, cpus, uncompressedBytes: 1 * GB, seconds };
}

const measurements: CoreMeasurement[] = [
  m('fastq', false, 1, [1.6, 1.5, 1.7]), // median 1.6 s → 625 MB/s
  m('fastq', false, 2, [1.65, 1.6, 1.7]), // slower on two: noise
  m('fastq', true, 1, [3.5, 3.3, 3.4]), // 3.4 s → 294.1 MB/s
  m('fastq', true, 2, [2.5, 2.5, 2.6]), // 400 MB/s
  m('csv', false, 1, [20, 21, 19]), // 50 MB/s
  m('csv', false, 2, [20, 20, 20]),
  m('csv', true, 1, [25, 25, 25]), // 40 MB/s
  m('csv', true, 2, [24, 24, 24]),
];

const derived = deriveCalibration({
  measurements,
  measuredExpansions: {
    fastq: [
      { source: 'synthetic', ratio: 2.05 },
      { source: 'binned model', ratio: 5.33 },
    ],
    csv: [{ source: 'synthetic', ratio: 4.04 }],
  },
  date: '2026-11-24',
  machine: 'Test CPU (2 cores), Node v20',
  runs: 3,
  source: 'reading from S3',
});

describe('rateOf', () => {
  it('takes the median run and rounds down to whole MB/s', () => {
    expect(rateOf(m('fastq', true, 1, [3.5, 3.3, 3.4]))).toBe(294e6);
  });

  it('refuses a measurement without runs', () => {
    expect(() => rateOf(m('csv', false, 1, []))).toThrowError(/median of no values/);
  });
});

describe('deriveCalibration', () => {
  it('keeps the shape routing.ts reads, with one-CPU figures as the Lambda reference', () => {
    expect(derived.referenceMemoryMb).toBe(1769);
    expect(derived.startupSeconds).toBe(2);
    expect(derived.throughput.fastq).toEqual({
      bytesPerSecond: 625e6,
      gzipBytesPerSecond: 294e6,
      gzipExpansion: 5.4,
    });
    expect(derived.throughput.csv).toEqual({
      bytesPerSecond: 50e6,
      gzipBytesPerSecond: 40e6,
      gzipExpansion: 7.5,
    });
    expect(derived.measuredOn).toMatch(
      /^2026-11-24, .* on Test CPU .* reading from S3, median of 3, pinned to one core .*1769 MB$/,
    );
  });

  it('records Fargate sizes: half of one CPU at 0.5 vCPU, both cores at 2 and 4, never below one CPU', () => {
    const t = derived.fargate.byVcpu;
    expect(t.map((x) => x.vcpu)).toEqual([0.5, 1, 2, 4]);
    expect(t[0]?.fastq).toEqual({ bytesPerSecond: 312e6, gzipBytesPerSecond: 147e6 });
    expect(t[1]?.fastq).toEqual({ bytesPerSecond: 625e6, gzipBytesPerSecond: 294e6 });
    expect(t[2]?.fastq).toEqual({ bytesPerSecond: 625e6, gzipBytesPerSecond: 400e6 });
    expect(t[3]).toEqual({ ...t[2], vcpu: 4 });
  });

  it('lists every expansion source it chose from, real samples included', () => {
    expect(derived.gzipExpansionSources.fastq.map((s) => s.ratio)).toEqual([
      2.05,
      5.33,
      ...REAL_SAMPLE_EXPANSIONS.fastq.map((s) => s.ratio),
    ]);
  });

  it('fails when a format or CPU count was not measured', () => {
    expect(() =>
      deriveCalibration({
        measurements: measurements.filter((x) => !(x.format === 'csv' && x.gzip && x.cpus === 2)),
        measuredExpansions: { fastq: [], csv: [] },
        date: 'd',
        machine: 'm',
        runs: 1,
        source: 's',
      }),
    ).toThrowError(/missing measurement: csv\.gz on 2 CPU/);
  });
});

describe('conservativeExpansion', () => {
  it('takes the largest ratio, rounded up to a tenth', () => {
    expect(
      conservativeExpansion([
        { source: 'a', ratio: 2.01 },
        { source: 'b', ratio: 4.31 },
      ]),
    ).toBe(4.4);
    expect(conservativeExpansion([{ source: 'a', ratio: 4 }])).toBe(4);
  });

  it('needs at least one sample', () => {
    expect(() => conservativeExpansion([])).toThrowError(/no expansion samples/);
  });
});
