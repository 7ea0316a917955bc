import { describe, expect, it } from 'vitest';
import {
  breakEven,
  cheapest,
  lambdaCapBytes,
  logSizes,
  optionName,
  predict,
  PRICES,
  throughputAt,
  type Calibration,
  type Prices,
  type RunOption,
} from '../../../bench/lib/cost.js';

const MB = 1e6;
const GB = 1e9;

/** 100 MB/s plain, 50 MB/s gzip (of uncompressed) at one vCPU; gzip expands 4×. */
const flat: Calibration = {
  startupSeconds: 2,
  throughput: {
    fastq: { bytesPerSecond: 100 * MB, gzipBytesPerSecond: 50 * MB, gzipExpansion: 4 },
    csv: { bytesPerSecond: 20 * MB, gzipBytesPerSecond: 10 * MB, gzipExpansion: 5 },
  },
};

function rates(fastq: number, fastqGz: number, csv: number, csvGz: number) {
  return {
    fastq: { bytesPerSecond: fastq * MB, gzipBytesPerSecond: fastqGz * MB },
    csv: { bytesPerSecond: csv * MB, gzipBytesPerSecond: csvGz * MB },
  };
}

const perVcpu: Calibration = {
  ...flat,
  fargate: {
    byVcpu: [
      { vcpu: 0.5, ...rates(50, 25, 10, 5) },
      { vcpu: 1, ...rates(100, 50, 20, 10) },
      { vcpu: 2, ...rates(110, 80, 20, 12) },
      { vcpu: 4, ...rates(110, 80, 20, 12) },
    ],
  },
};

const fastq = { format: 'fastq', gzip: false } as const;
const fastqGz = { format: 'fastq', gzip: true } as const;
const lambda1769: RunOption = { kind: 'lambda', memoryMb: 1769 };
const fargate1: RunOption = { kind: 'fargate', vcpu: 1, memoryGb: 2, spot: false };
const handoff = (1769 / 1024) * 1 * PRICES.lambdaPerGbSecond + PRICES.lambdaPerRequest;

describe('throughputAt', () => {
  it('scales the one-vCPU figure down below one vCPU and keeps it flat above without a per-vCPU table', () => {
    expect(throughputAt(flat, fastq, 0.5)).toBeCloseTo(50 * MB);
    expect(throughputAt(flat, fastq, 1)).toBeCloseTo(100 * MB);
    expect(throughputAt(flat, fastq, 5.8)).toBeCloseTo(100 * MB);
  });

  it('interpolates between the calibrated vCPU sizes and is flat past the last', () => {
    expect(throughputAt(perVcpu, fastqGz, 1.5)).toBeCloseTo(65 * MB);
    expect(throughputAt(perVcpu, fastqGz, 0.25)).toBeCloseTo(12.5 * MB);
    expect(throughputAt(perVcpu, fastqGz, 10)).toBeCloseTo(80 * MB);
  });
});

describe('predict', () => {
  it('prices a Lambda job by GB-second of its memory plus the request', () => {
    // 1 GB plain at 100 MB/s = 10 s of work + 2 s fixed.
    const p = predict(lambda1769, 1 * GB, fastq, flat);
    expect(p.seconds).toBeCloseTo(12);
    expect(p.feasible).toBe(true);
    expect(p.cost).toBeCloseTo((1769 / 1024) * 12 * PRICES.lambdaPerGbSecond + 0.2e-6, 12);
  });

  it('counts a gzip object at its stored size times the expansion', () => {
    // 1 GB stored × 4 = 4 GB at 50 MB/s = 80 s + 2 s.
    expect(predict(lambda1769, 1 * GB, fastqGz, flat).seconds).toBeCloseTo(82);
  });

  it('gives Lambda less CPU below 1769 MB, so the same job takes longer', () => {
    const small = predict({ kind: 'lambda', memoryMb: 1024 }, 1 * GB, fastq, flat);
    expect(small.seconds).toBeCloseTo(2 + 10 * (1769 / 1024));
  });

  it('marks a job over 15 minutes impossible on Lambda', () => {
    // 898 s of work + 2 s = 900 s exactly fits; a byte more does not.
    const cap = lambdaCapBytes(1769, fastq, flat);
    expect(cap).toBeCloseTo(898 * 100 * MB);
    expect(predict(lambda1769, cap, fastq, flat).feasible).toBe(true);
    expect(predict(lambda1769, cap * 1.001, fastq, flat).feasible).toBe(false);
  });

  it('bills Fargate for the start-up and at least a minute, per second, plus the hand-off', () => {
    const p = predict(fargate1, 1 * MB, fastq, flat);
    // 60 s start-up + 2 s + 0.01 s → 63 s billed.
    expect(p.seconds).toBeCloseTo(62.01);
    const hourly = 1 * PRICES.fargatePerVcpuHour + 2 * PRICES.fargatePerGbHour;
    expect(p.cost).toBeCloseTo((63 / 3600) * hourly + handoff, 12);
  });

  it('applies the Spot discount to the task, not to the hand-off', () => {
    const onDemand = predict(fargate1, 10 * GB, fastq, flat);
    const spot = predict({ ...fargate1, spot: true } as RunOption, 10 * GB, fastq, flat);
    expect(spot.cost - handoff).toBeCloseTo((onDemand.cost - handoff) * (1 - PRICES.spotDiscount), 12);
  });

  it('names the options', () => {
    expect(optionName(lambda1769)).toBe('Lambda 1769 MB');
    expect(optionName({ kind: 'fargate', vcpu: 0.5, memoryGb: 1, spot: true })).toBe(
      'Fargate Spot 0.5 vCPU/1 GB',
    );
  });
});

describe('cheapest', () => {
  it('skips options that cannot run the job', () => {
    const best = cheapest([lambda1769, fargate1], 200 * GB, fastq, flat);
    expect(best?.option).toEqual(fargate1);
    expect(cheapest([lambda1769], 200 * GB, fastq, flat)).toBeUndefined();
  });
});

describe('breakEven', () => {
  it('finds where Fargate 1 vCPU starts to cost less than Lambda, as the closed form says', () => {
    // Work w in seconds at one vCPU. Every Lambda size up to 1769 MB costs L = 1769/1024 × price per
    // such second (CPU scales with memory), so 1024 MB is the cheapest: its fixed 2 s cost least,
    // 2 × 1 GB × price. Fargate: F × (62 + w) + hand-off. Equal when
    // w = (62F + h − 2 × price − request) / (L − F), give or take Fargate's per-second rounding.
    const L = (1769 / 1024) * PRICES.lambdaPerGbSecond;
    const F = (1 * PRICES.fargatePerVcpuHour + 2 * PRICES.fargatePerGbHour) / 3600;
    const workSeconds = (62 * F + handoff - 2 * PRICES.lambdaPerGbSecond - PRICES.lambdaPerRequest) / (L - F);
    const result = breakEven([fargate1], fastq, flat);
    expect(result.kind).toBe('cheaper');
    if (result.kind !== 'cheaper') return;
    expect(result.winner).toEqual(fargate1);
    // Within the 1-second billing granularity.
    expect(Math.abs(result.bytes / (100 * MB) - workSeconds)).toBeLessThan(1);
  });

  it('says when Lambda reaches its 15-minute cap before Fargate gets cheaper', () => {
    const dearFargate: Prices = { ...PRICES, fargatePerVcpuHour: 100, fargatePerGbHour: 100 };
    const result = breakEven([fargate1], fastq, flat, 1e6, 1e12, dearFargate);
    expect(result.kind).toBe('lambda-cap');
    if (result.kind !== 'lambda-cap') return;
    expect(result.bytes / lambdaCapBytes(1769, fastq, flat)).toBeCloseTo(1, 2);
  });

  it('says none when Lambda stays cheaper over the whole range', () => {
    expect(breakEven([fargate1], fastq, flat, 1e6, 1e7)).toEqual({ kind: 'none' });
  });
});

describe('logSizes', () => {
  it('steps evenly on a log scale, both ends included', () => {
    const sizes = logSizes(1e6, 1e8, 2);
    expect(sizes).toHaveLength(5);
    expect(sizes[0]).toBe(1e6);
    expect(sizes[2]).toBeCloseTo(1e7);
    expect(sizes[4]).toBeCloseTo(1e8);
  });
});
