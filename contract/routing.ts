import calibration from './calibration.json' with { type: 'json' };
import { FORCED_ROUTE_METADATA } from './names.js';

/**
 * The routing policy: where a job runs.
 *
 *   predicted = startup + size × expansion ÷ throughput
 *   route     = predicted × safetyFactor ≤ lambdaBudgetSeconds ? 'lambda' : 'ecs'
 *
 * `throughput` is in bytes of *uncompressed* input per second, measured for the format on the
 * Lambda memory size in use; `expansion` is the ratio uncompressed ÷ compressed for gzip inputs
 * (1 for plain files). Everything the decision used is returned with it, so it can be logged and
 * stored on the job.
 */

export const ROUTES = ['lambda', 'ecs'] as const;
export type Route = (typeof ROUTES)[number];

/** The input formats the job core reads (the core re-exports this). */
export const FORMATS = ['fastq', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/** Lambda's limit on one invocation, in seconds (15 minutes). */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/**
 * Lambda allots CPU in proportion to a function's memory: one full vCPU at this size, a second
 * from twice it (Lambda's documentation on memory and computing power).
 */
export const LAMBDA_MB_PER_VCPU = 1769;

/** What routing needs to know of an input besides its size. */
export interface InputKind {
  format: Format;
  gzip: boolean;
}

export interface Throughput {
  /** Bytes of uncompressed input processed per second. */
  bytesPerSecond: number;
  /** Uncompressed ÷ compressed size, used when the input is gzip. */
  gzipExpansion: number;
  /** Bytes of uncompressed input per second when the input is gzip (decompression costs CPU). */
  gzipBytesPerSecond: number;
}

export interface RoutingPolicy {
  /** Seconds a job may run inside the dispatcher before it must have finished. */
  lambdaBudgetSeconds: number;
  /** Predictions are multiplied by this before they are compared with the budget (≥ 1). */
  safetyFactor: number;
  /** Fixed cost of a job (first byte from S3, writing results), in seconds. */
  startupSeconds: number;
  /** Measured throughput per format. */
  throughput: Record<Format, Throughput>;
  /** Where the throughput figures come from (calibration file and Lambda memory size). */
  source: string;
}

export interface RoutingDecision {
  route: Route;
  predictedSeconds: number;
  budgetSeconds: number;
  safetyFactor: number;
  reason: string;
}

export function decideRoute(sizeBytes: number, kind: InputKind, policy: RoutingPolicy): RoutingDecision {
  if (!Number.isFinite(sizeBytes) || sizeBytes < 0) throw new RangeError(`invalid object size: ${sizeBytes}`);
  const t = policy.throughput[kind.format];
  const work = kind.gzip
    ? (sizeBytes * t.gzipExpansion) / t.gzipBytesPerSecond
    : sizeBytes / t.bytesPerSecond;
  const predicted = policy.startupSeconds + work;
  const predictedSeconds = round(predicted);
  const padded = predicted * policy.safetyFactor;
  const route: Route = padded <= policy.lambdaBudgetSeconds ? 'lambda' : 'ecs';
  const reason =
    `${kind.format}${kind.gzip ? '.gz' : ''} ${sizeBytes} B: predicted ${predictedSeconds}s × ${policy.safetyFactor} ` +
    `${route === 'lambda' ? '≤' : '>'} budget ${policy.lambdaBudgetSeconds}s`;
  return {
    route,
    predictedSeconds,
    budgetSeconds: policy.lambdaBudgetSeconds,
    safetyFactor: policy.safetyFactor,
    reason,
  };
}

/**
 * The decision after the object's own say, if any: its `FORCED_ROUTE_METADATA` (`lambda` or
 * `ecs`, any case) replaces the predicted route; any other value is ignored, and the reason says
 * so rather than leaving the uploader to wonder why the route was not theirs.
 */
export function applyForcedRoute(decision: RoutingDecision, forced: string | undefined): RoutingDecision {
  if (forced === undefined) return decision;
  const value = forced.trim().toLowerCase();
  if ((ROUTES as readonly string[]).includes(value)) {
    return { ...decision, route: value as Route, reason: `forced by object metadata; ${decision.reason}` };
  }
  const ignored = `object metadata ${FORCED_ROUTE_METADATA}=${JSON.stringify(forced)} ignored (expected ${ROUTES.join(' or ')})`;
  return { ...decision, reason: `${ignored}; ${decision.reason}` };
}

/** Largest object of a kind that still routes to Lambda under a policy. */
export function lambdaMaxBytes(kind: InputKind, policy: RoutingPolicy): number {
  const t = policy.throughput[kind.format];
  const seconds = policy.lambdaBudgetSeconds / policy.safetyFactor - policy.startupSeconds;
  if (seconds <= 0) return 0;
  const rate = kind.gzip ? t.gzipBytesPerSecond / t.gzipExpansion : t.bytesPerSecond;
  return Math.floor(seconds * rate);
}

export interface PolicyOptions {
  /** The dispatcher's timeout in seconds. */
  lambdaTimeoutSeconds: number;
  /** The dispatcher's memory in MB: throughput scales with the CPU share Lambda gives it. */
  lambdaMemoryMb: number;
  /** @default 2 */
  safetyFactor?: number;
  /** Seconds kept back from the timeout for bookkeeping and the hand-off to ECS. @default 60 (or a quarter of short timeouts) */
  headroomSeconds?: number;
}

interface CalibrationFile {
  measuredOn: string;
  referenceMemoryMb: number;
  startupSeconds: number;
  throughput: Record<Format, Throughput>;
}

/**
 * Builds the policy for a Lambda size from the checked-in calibration, which was measured on one
 * full vCPU. Throughput scales with the CPU share below one vCPU (`LAMBDA_MB_PER_VCPU`) and is
 * taken as flat above it: the core parses on one thread, and a second vCPU bought 6–15% in the
 * calibration (its `fargate` figures), which the prediction leaves as headroom.
 */
export function buildRoutingPolicy(options: PolicyOptions): RoutingPolicy {
  const cal = calibration as CalibrationFile;
  const safetyFactor = options.safetyFactor ?? 2;
  if (safetyFactor < 1) throw new RangeError(`safetyFactor must be ≥ 1, got ${safetyFactor}`);
  const headroom = options.headroomSeconds ?? Math.min(60, options.lambdaTimeoutSeconds / 4);
  const cpuShare =
    Math.min(1, options.lambdaMemoryMb / LAMBDA_MB_PER_VCPU) /
    Math.min(1, cal.referenceMemoryMb / LAMBDA_MB_PER_VCPU);
  const scaled = Object.fromEntries(
    Object.entries(cal.throughput).map(([format, t]) => [
      format,
      {
        bytesPerSecond: Math.round(t.bytesPerSecond * cpuShare),
        gzipBytesPerSecond: Math.round(t.gzipBytesPerSecond * cpuShare),
        gzipExpansion: t.gzipExpansion,
      },
    ]),
  ) as Record<Format, Throughput>;
  return {
    lambdaBudgetSeconds: Math.max(0, options.lambdaTimeoutSeconds - headroom),
    safetyFactor,
    startupSeconds: cal.startupSeconds,
    throughput: scaled,
    source: `calibration ${cal.measuredOn} at ${cal.referenceMemoryMb} MB, scaled to ${options.lambdaMemoryMb} MB`,
  };
}

/**
 * A policy from JSON (it reaches the dispatcher in an environment variable), checked field by
 * field: a policy that would route by NaN or by a missing format fails here, naming the field.
 */
export function parseRoutingPolicy(json: string): RoutingPolicy {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`routing policy is not valid JSON: ${(error as Error).message}`);
  }
  const object = (v: unknown, where: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new Error(`routing policy: ${where} must be an object`);
    return v as Record<string, unknown>;
  };
  const number = (o: Record<string, unknown>, key: string, where: string, min: number, orEqual: boolean) => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (!orEqual && v === min)) {
      const bound = `${orEqual ? '≥' : '>'} ${min}`;
      throw new Error(`routing policy: ${where}${key} must be a number ${bound}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const policy = object(value, 'the policy');
  const throughput = object(policy.throughput, 'throughput');
  const source = policy.source;
  if (typeof source !== 'string') throw new Error('routing policy: source must be a string');
  return {
    lambdaBudgetSeconds: number(policy, 'lambdaBudgetSeconds', '', 0, true),
    safetyFactor: number(policy, 'safetyFactor', '', 1, true),
    startupSeconds: number(policy, 'startupSeconds', '', 0, true),
    throughput: Object.fromEntries(
      FORMATS.map((format) => {
        const t = object(throughput[format], `throughput.${format}`);
        const where = `throughput.${format}.`;
        return [
          format,
          {
            bytesPerSecond: number(t, 'bytesPerSecond', where, 0, false),
            gzipBytesPerSecond: number(t, 'gzipBytesPerSecond', where, 0, false),
            gzipExpansion: number(t, 'gzipExpansion', where, 0, false),
          },
        ];
      }),
    ) as Record<Format, Throughput>,
    source,
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
