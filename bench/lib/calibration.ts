/**
 * Turns measured core throughput into contract/calibration.json, in the shape
 * contract/routing.ts reads (`measuredOn`, `referenceMemoryMb`, `startupSeconds`,
 * `throughput`), plus a per-Fargate-CPU table and where each figure came from.
 */
import type { Format } from '../../src/core/api.js';
import { LAMBDA_MB_PER_VCPU } from '../../contract/routing.js';
import { median } from './stats.js';

/**
 * Fixed cost of a job outside the core (first byte from S3, writing the result). Not measured by
 * the bench: an emulator on loopback says nothing about S3's first-byte latency. Kept from the
 * policy's original estimate.
 */
const STARTUP_SECONDS = 2;

/**
 * Gzip expansion (uncompressed ÷ compressed, `gzip -6`) of real files, measured once by hand
 * because the files cannot be generated: they are evidence of what real data does.
 */
export const REAL_SAMPLE_EXPANSIONS: Record<Format, ExpansionSample[]> = {
  fastq: [
    {
      source:
        'real Illumina HiSeq reads, full-resolution qualities (Debian adapterremoval-examples 2.3.3, examples/reads_1.fq.gz)',
      ratio: 2.79,
    },
  ],
  csv: [
    { source: 'real CSV, vega-datasets 0.9.0 (PyPI) airports.csv', ratio: 2.34 },
    { source: 'real CSV, vega-datasets 0.9.0 seattle-weather.csv', ratio: 4.22 },
    { source: 'real CSV, vega-datasets 0.9.0 sf-temps.csv (time series)', ratio: 7.49 },
  ],
};

export interface ExpansionSample {
  source: string;
  ratio: number;
}

/** Timed runs of the core on one input. */
export interface CoreMeasurement {
  format: Format;
  gzip: boolean;
  /** CPUs the process was allowed (taskset): 1 stands for one vCPU. */
  cpus: number;
  /** Uncompressed bytes of the input. */
  uncompressedBytes: number;
  /** Seconds `runJob` took in each run. */
  seconds: number[];
}

export interface FormatThroughput {
  bytesPerSecond: number;
  gzipBytesPerSecond: number;
  gzipExpansion: number;
}

export type FargateThroughput = { vcpu: number } & Record<
  Format,
  { bytesPerSecond: number; gzipBytesPerSecond: number }
>;

export interface CalibrationFile {
  measuredOn: string;
  referenceMemoryMb: number;
  startupSeconds: number;
  throughput: Record<Format, FormatThroughput>;
  /** Throughput by Fargate task vCPU (same units), for the cost model. */
  fargate: {
    note: string;
    byVcpu: FargateThroughput[];
  };
  /** Where each gzipExpansion came from: every ratio considered, the largest stored. */
  gzipExpansionSources: Record<Format, ExpansionSample[]>;
  notes: string[];
}

export interface CalibrationInput {
  measurements: CoreMeasurement[];
  /** Expansions measured in this run (synthetic and modelled data), per format. */
  measuredExpansions: Record<Format, ExpansionSample[]>;
  /** e.g. '2026-11-24'. */
  date: string;
  /** e.g. 'AMD EPYC, Node v20.20.2'. */
  machine: string;
  runs: number;
  /**
   * How the core read its input, for `measuredOn`: from S3 (the local emulator) as deployed, or
   * from local files when the emulator is not installed.
   */
  source: string;
}

/** Median bytes per second, rounded down to whole MB/s so the policy never flatters the core. */
export function rateOf(m: CoreMeasurement): number {
  const seconds = median(m.seconds);
  if (!(seconds > 0)) throw new RangeError(`no valid timing for ${m.format}${m.gzip ? '.gz' : ''}`);
  return Math.floor(m.uncompressedBytes / seconds / 1e6) * 1e6;
}

function find(measurements: CoreMeasurement[], format: Format, gzip: boolean, cpus: number): CoreMeasurement {
  const m = measurements.find((x) => x.format === format && x.gzip === gzip && x.cpus === cpus);
  if (m === undefined) throw new Error(`missing measurement: ${format}${gzip ? '.gz' : ''} on ${cpus} CPU`);
  return m;
}

/**
 * The largest ratio seen: routing multiplies a gzip object's size by it to predict the work,
 * so over-estimating sends a borderline file to ECS (safe), under-estimating can make the
 * dispatcher run out of time (it then hands the job over, having wasted the time).
 */
export function conservativeExpansion(samples: readonly ExpansionSample[]): number {
  if (samples.length === 0) throw new RangeError('no expansion samples');
  return Math.ceil(Math.max(...samples.map((s) => s.ratio)) * 10) / 10;
}

export function deriveCalibration(input: CalibrationInput): CalibrationFile {
  const formats: Format[] = ['fastq', 'csv'];
  const sources = Object.fromEntries(
    formats.map((f) => [f, [...input.measuredExpansions[f], ...REAL_SAMPLE_EXPANSIONS[f]]]),
  ) as Record<Format, ExpansionSample[]>;
  const at = (format: Format, cpus: number) => {
    const plain = rateOf(find(input.measurements, format, false, cpus));
    const gzip = rateOf(find(input.measurements, format, true, cpus));
    return { bytesPerSecond: plain, gzipBytesPerSecond: gzip };
  };
  const one = Object.fromEntries(formats.map((f) => [f, at(f, 1)])) as Record<Format, ReturnType<typeof at>>;
  // Two CPUs can only help (zlib inflates on a libuv thread beside the parser; GC helpers):
  // a slower median on two is noise, so never record less than on one.
  const two = Object.fromEntries(
    formats.map((f) => {
      const t = at(f, 2);
      return [
        f,
        {
          bytesPerSecond: Math.max(t.bytesPerSecond, one[f].bytesPerSecond),
          gzipBytesPerSecond: Math.max(t.gzipBytesPerSecond, one[f].gzipBytesPerSecond),
        },
      ];
    }),
  ) as Record<Format, ReturnType<typeof at>>;
  const half = Object.fromEntries(
    formats.map((f) => [
      f,
      {
        bytesPerSecond: Math.floor(one[f].bytesPerSecond / 2e6) * 1e6,
        gzipBytesPerSecond: Math.floor(one[f].gzipBytesPerSecond / 2e6) * 1e6,
      },
    ]),
  ) as Record<Format, ReturnType<typeof at>>;

  return {
    measuredOn:
      `${input.date}, npm run bench -- --calibrate on ${input.machine}: the job core (runJob, process ` +
      `start-up excluded) ${input.source}, median of ${input.runs}, pinned to one core taken as one full vCPU ≈ Lambda at ${LAMBDA_MB_PER_VCPU} MB`,
    referenceMemoryMb: LAMBDA_MB_PER_VCPU,
    startupSeconds: STARTUP_SECONDS,
    throughput: Object.fromEntries(
      formats.map((f) => [f, { ...one[f], gzipExpansion: conservativeExpansion(sources[f]) }]),
    ) as Record<Format, FormatThroughput>,
    fargate: {
      note:
        '1 vCPU = one core of the calibration machine (pinned); 2 = both cores unpinned; 0.5 = half of 1 ' +
        '(CPU quota); 4 = as 2, not measured (conservative: a job runs on at most two threads)',
      byVcpu: [
        { vcpu: 0.5, ...half },
        { vcpu: 1, ...one },
        { vcpu: 2, ...two },
        { vcpu: 4, ...two },
      ],
    },
    gzipExpansionSources: sources,
    notes: [
      'throughput is bytes of uncompressed input per second; gzipExpansion is uncompressed ÷ compressed size',
      'gzipExpansion stores the largest ratio among the sources: routing multiplies a .gz size by it, so a high value errs towards ECS',
      `startupSeconds (${STARTUP_SECONDS}) is an estimate of S3 first-byte latency and result writing, not measured here`,
    ],
  };
}
