/**
 * Cost model: predicted duration and cost of one job on Lambda or on Fargate, from the
 * calibrated throughput, and the object size from which Fargate is the cheaper place to run.
 * Pure arithmetic: bench/cost-model.ts renders it into docs/cost-model.md and docs/cost-chart.svg.
 */
import { LAMBDA_MAX_TIMEOUT_SECONDS, LAMBDA_MB_PER_VCPU } from '../../contract/routing.js';
import type { Format } from '../../src/core/api.js';

/** Published list prices used by the model; re-check them before relying on the figures. */
export interface Prices {
  asOf: string;
  region: string;
  /** Lambda, arm64, per GB-second (first pricing tier). */
  lambdaPerGbSecond: number;
  /** Lambda, per request. */
  lambdaPerRequest: number;
  /** Fargate, Linux/arm64, per vCPU-hour. */
  fargatePerVcpuHour: number;
  /** Fargate, Linux/arm64, per GB-hour. */
  fargatePerGbHour: number;
  /** Fraction Fargate Spot takes off the on-demand price (it varies; AWS quotes "up to 70%"). */
  spotDiscount: number;
}

export const PRICES: Prices = {
  asOf: 'November 2026',
  region: 'us-east-1',
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  fargatePerVcpuHour: 0.03238,
  fargatePerGbHour: 0.00356,
  spotDiscount: 0.7,
};

/** Time from RunTask to the container running (provisioning, image pull), billed here in full. */
export const FARGATE_STARTUP_SECONDS = 60;
/** Fargate bills per second with a one-minute minimum. */
export const FARGATE_MIN_BILLED_SECONDS = 60;
/** What handing a job to Fargate costs the dispatcher: one invocation of about a second. */
export const HANDOFF_LAMBDA_SECONDS = 1;

const LAMBDA_MEMORY_MB = [1024, LAMBDA_MB_PER_VCPU, 3008, 10240] as const;
export const FARGATE_TASKS = [
  { vcpu: 0.5, memoryGb: 1 },
  { vcpu: 1, memoryGb: 2 },
  { vcpu: 2, memoryGb: 4 },
  { vcpu: 4, memoryGb: 8 },
] as const;

export type RunOption =
  { kind: 'lambda'; memoryMb: number } | { kind: 'fargate'; vcpu: number; memoryGb: number; spot: boolean };

export function allOptions(): RunOption[] {
  return [
    ...LAMBDA_MEMORY_MB.map((memoryMb): RunOption => ({ kind: 'lambda', memoryMb })),
    ...FARGATE_TASKS.map((t): RunOption => ({ kind: 'fargate', ...t, spot: false })),
    ...FARGATE_TASKS.map((t): RunOption => ({ kind: 'fargate', ...t, spot: true })),
  ];
}

export function optionName(option: RunOption): string {
  return option.kind === 'lambda'
    ? `Lambda ${option.memoryMb} MB`
    : `Fargate${option.spot ? ' Spot' : ''} ${option.vcpu} vCPU/${option.memoryGb} GB`;
}

export interface Workload {
  format: Format;
  gzip: boolean;
}

export function workloadName(w: Workload): string {
  return `${w.format === 'fastq' ? 'FASTQ' : 'CSV'}${w.gzip ? '.gz' : ''}`;
}

/** The parts of contract/calibration.json the model reads. */
export interface Calibration {
  startupSeconds: number;
  throughput: Record<Format, { bytesPerSecond: number; gzipBytesPerSecond: number; gzipExpansion: number }>;
  fargate?: {
    byVcpu: ({ vcpu: number } & Record<Format, { bytesPerSecond: number; gzipBytesPerSecond: number }>)[];
  };
}

/**
 * Bytes of uncompressed input per second with `vcpu` CPUs: interpolated between the calibrated
 * points (0 at 0 vCPU), flat beyond the last one. Without a per-vCPU table, the one-vCPU
 * figure scaled down below one vCPU and flat above (the core is single-threaded).
 */
export function throughputAt(cal: Calibration, w: Workload, vcpu: number): number {
  const pick = (t: { bytesPerSecond: number; gzipBytesPerSecond: number }) =>
    w.gzip ? t.gzipBytesPerSecond : t.bytesPerSecond;
  const points: [number, number][] = [[0, 0]];
  if (cal.fargate) {
    for (const entry of cal.fargate.byVcpu) points.push([entry.vcpu, pick(entry[w.format])]);
  } else {
    points.push([1, pick(cal.throughput[w.format])]);
  }
  points.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1] as [number, number];
    const [x1, y1] = points[i] as [number, number];
    if (vcpu <= x1) return y0 + ((y1 - y0) * (vcpu - x0)) / (x1 - x0);
  }
  return (points[points.length - 1] as [number, number])[1];
}

export function vcpuOf(option: RunOption): number {
  return option.kind === 'lambda' ? option.memoryMb / LAMBDA_MB_PER_VCPU : option.vcpu;
}

export interface Prediction {
  option: RunOption;
  /** Wall-clock seconds from the upload to the result. */
  seconds: number;
  /** False when the job cannot run there (over Lambda's 15 minutes). */
  feasible: boolean;
  /** US dollars; for Fargate it includes the dispatcher invocation that hands the job over. */
  cost: number;
}

/** `sizeBytes` is the object's size as stored (compressed for gzip). */
export function predict(
  option: RunOption,
  sizeBytes: number,
  w: Workload,
  cal: Calibration,
  prices: Prices = PRICES,
): Prediction {
  const uncompressed = w.gzip ? sizeBytes * cal.throughput[w.format].gzipExpansion : sizeBytes;
  const work = uncompressed / throughputAt(cal, w, vcpuOf(option));
  if (option.kind === 'lambda') {
    const seconds = cal.startupSeconds + work;
    const cost = (option.memoryMb / 1024) * seconds * prices.lambdaPerGbSecond + prices.lambdaPerRequest;
    return { option, seconds, feasible: seconds <= LAMBDA_MAX_TIMEOUT_SECONDS, cost };
  }
  const seconds = FARGATE_STARTUP_SECONDS + cal.startupSeconds + work;
  const billed = Math.max(FARGATE_MIN_BILLED_SECONDS, Math.ceil(seconds));
  const hourly = option.vcpu * prices.fargatePerVcpuHour + option.memoryGb * prices.fargatePerGbHour;
  const task = (billed / 3600) * hourly * (option.spot ? 1 - prices.spotDiscount : 1);
  const handoff =
    (LAMBDA_MB_PER_VCPU / 1024) * HANDOFF_LAMBDA_SECONDS * prices.lambdaPerGbSecond + prices.lambdaPerRequest;
  return { option, seconds, feasible: true, cost: task + handoff };
}

/** Largest object that finishes within Lambda's 15 minutes at a memory size. */
export function lambdaCapBytes(memoryMb: number, w: Workload, cal: Calibration): number {
  const seconds = LAMBDA_MAX_TIMEOUT_SECONDS - cal.startupSeconds;
  const rate = throughputAt(cal, w, memoryMb / LAMBDA_MB_PER_VCPU);
  return Math.max(0, (seconds * rate) / (w.gzip ? cal.throughput[w.format].gzipExpansion : 1));
}

/** Sizes from `from` to `to` bytes, `perDecade` to a factor of ten, evenly on a log scale. */
export function logSizes(from: number, to: number, perDecade: number): number[] {
  const steps = Math.round(Math.log10(to / from) * perDecade);
  return Array.from({ length: steps + 1 }, (_, i) => from * 10 ** (i / perDecade));
}

/** The cheapest feasible prediction among `options` (undefined when none can run the job). */
export function cheapest(
  options: readonly RunOption[],
  sizeBytes: number,
  w: Workload,
  cal: Calibration,
  prices: Prices = PRICES,
): Prediction | undefined {
  let best: Prediction | undefined;
  for (const option of options) {
    const p = predict(option, sizeBytes, w, cal, prices);
    if (p.feasible && (best === undefined || p.cost < best.cost)) best = p;
  }
  return best;
}

/**
 * Where a set of options starts to beat Lambda: `cheaper` at the smallest size from which the
 * cheapest of them costs no more than the cheapest Lambda that can run the job; `lambda-cap`
 * when Lambda runs out of its 15 minutes before that; `none` when Lambda stays cheaper.
 */
export type BreakEven =
  | { kind: 'cheaper'; bytes: number; winner: RunOption }
  | { kind: 'lambda-cap'; bytes: number }
  | { kind: 'none' };

/** Searched between `from` and `to` bytes: a scan on a fine log grid, then bisection to about 0.1%. */
export function breakEven(
  challengers: readonly RunOption[],
  w: Workload,
  cal: Calibration,
  from = 1e6,
  to = 1e11,
  prices: Prices = PRICES,
): BreakEven {
  const lambdas = allOptions().filter((o) => o.kind === 'lambda');
  const verdict = (size: number): 'lambda' | 'other' | 'cap' => {
    const lambda = cheapest(lambdas, size, w, cal, prices);
    if (lambda === undefined) return 'cap';
    const other = cheapest(challengers, size, w, cal, prices);
    return other !== undefined && other.cost <= lambda.cost ? 'other' : 'lambda';
  };
  let previous: number | undefined;
  for (const size of logSizes(from, to, 50)) {
    const v = verdict(size);
    if (v !== 'lambda') {
      let lo = previous ?? size;
      let hi = size;
      while (hi / lo > 1.001) {
        const mid = Math.sqrt(lo * hi);
        if (verdict(mid) === 'lambda') lo = mid;
        else hi = mid;
      }
      // Between lo and hi the verdict changed; say which change came first.
      const at = verdict(hi);
      if (at === 'cap') return { kind: 'lambda-cap', bytes: hi };
      return {
        kind: 'cheaper',
        bytes: hi,
        winner: (cheapest(challengers, hi, w, cal, prices) as Prediction).option,
      };
    }
    previous = size;
  }
  return { kind: 'none' };
}
