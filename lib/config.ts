/**
 * The one typed configuration of the CDK app. Every value comes from CDK context (`cdk.json`,
 * `cdk.context.json` or `-c key=value`), is validated here, and gets a documented default. The
 * stack and its constructs only ever see a `PipelineConfig`, never raw context.
 */

import { RECONCILE_DEFAULTS } from '../contract/names.js';
import { LAMBDA_MAX_TIMEOUT_SECONDS, LAMBDA_MB_PER_VCPU } from '../contract/routing.js';

/** How private compute subnets reach the internet. */
export type NatMode = 'none' | 'single' | 'perAz';

export type WorkerArchitecture = 'arm64' | 'x86_64';

export type RemovalMode = 'destroy' | 'retain';

/**
 * Storage classes uploads may be moved to. GLACIER_IR and INTELLIGENT_TIERING (without its
 * opt-in archive tiers) are read like STANDARD; GLACIER and DEEP_ARCHIVE must be restored first.
 */
export const ARCHIVE_STORAGE_CLASSES = [
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
] as const;
export type ArchiveStorageClass = (typeof ARCHIVE_STORAGE_CLASSES)[number];
/** The archive classes a job cannot read until the object is restored. */
const RESTORE_FIRST_CLASSES: readonly ArchiveStorageClass[] = ['GLACIER', 'DEEP_ARCHIVE'];

export interface PipelineConfig {
  /**
   * Short name of the deployment; the stack is called `S3Pipeline-<envName>`. Context key `envName`.
   * @default 'sandbox'
   */
  readonly envName: string;
  /**
   * Region the availability zone names belong to. The stack itself stays environment-agnostic;
   * a CloudFormation rule refuses to deploy it anywhere else. Context key `region`.
   * @default 'us-east-1'
   */
  readonly region: string;
  /**
   * Availability zones used, each with a public, a private and an isolated subnet. Context key
   * `availabilityZones` (list or comma-separated), else the first `azCount` of `<region>a`, `b`, `c`.
   * @default ['us-east-1a', 'us-east-1b']
   */
  readonly availabilityZones: readonly string[];
  /**
   * How the private compute subnets reach the internet: `none` (VPC endpoints only), `single`
   * (one NAT gateway), `perAz` (one NAT gateway per AZ). Context key `natMode`.
   * @default 'none'
   */
  readonly natMode: NatMode;
  /**
   * IPv4 /16 of the VPC; subnets are carved from it by the plan in docs/cidr-plan.md. Context key `vpcCidr`.
   * @default '10.40.0.0/16'
   */
  readonly vpcCidr: string;
  /**
   * Dual stack: the VPC also gets an Amazon-provided IPv6 /56 and every subnet a /64 of it, at the
   * place the IPv4 plan gives it (docs/cidr-plan.md). The private tier reaches the IPv6 internet
   * only when `natMode` gives it the IPv4 internet. Context key `ipv6`.
   * @default false
   */
  readonly ipv6: boolean;
  /**
   * Dispatcher memory in MB (1,769 MB is one full vCPU). Context key `lambdaMemoryMb`.
   * @default 1769
   */
  readonly lambdaMemoryMb: number;
  /**
   * Dispatcher timeout in seconds; the routing budget is derived from it. Context key `lambdaTimeoutSeconds`.
   * @default 900
   */
  readonly lambdaTimeoutSeconds: number;
  /**
   * Reserved concurrency of the dispatcher. Context key `dispatcherReservedConcurrency`.
   * @default - none: the dispatcher scales within the account's unreserved concurrency
   */
  readonly dispatcherReservedConcurrency?: number;
  /**
   * Fargate CPU units of a worker task. Context key `workerCpu`.
   * @default 1024
   */
  readonly workerCpu: number;
  /**
   * Fargate memory of a worker task in MiB; must be valid for `workerCpu`. Context key `workerMemoryMb`.
   * @default 2048
   */
  readonly workerMemoryMb: number;
  /**
   * CPU architecture of the worker image and task. Context key `workerArchitecture`.
   * @default 'arm64'
   */
  readonly workerArchitecture: WorkerArchitecture;
  /**
   * Ephemeral storage of a worker task in GiB, from Fargate's 21 to its 200. The job core streams
   * its input, so it needs none beyond Fargate's default; raise it for a job that writes large
   * temporary files. Context key `workerEphemeralStorageGiB`.
   * @default 21 (Fargate's own default: the task definition leaves the setting out)
   */
  readonly workerEphemeralStorageGiB: number;
  /**
   * Image of the worker container, by name (`repository:tag` or a full registry URI) instead of
   * building `containers/worker` at deploy time. Emulators that have no image registry (LocalStack
   * without its paid tier) are deployed with a name here, so deploying needs no Docker; their
   * runners start the worker's bundle for each task instead. Context key `workerImage`.
   * @default - built from containers/worker (an image asset, which needs Docker to deploy)
   */
  readonly workerImage?: string;
  /**
   * Ranged GETs in flight when a job reads a large plain FASTQ from S3 as a stream (1 reads it as
   * one GET). One S3 connection delivers far less than the job core parses a plain FASTQ (AWS
   * documents 85–90 MB/s per request); each more reads faster and holds more memory (3–9 MiB per
   * connection: BENCHMARKS.md), well within the default function and task, not within the
   * bench's 128 MiB above 4. A plain FASTQ of 16 MiB and more is read in this many slices, one
   * ranged GET each (1 reads it as one GET). Gzipped and CSV inputs, parsed slower than one
   * connection delivers them, are always read with one GET (`readInParallel`).
   * Context key `s3ReadConcurrency`.
   * @default 4
   */
  readonly s3ReadConcurrency: number;
  /**
   * Seconds a job's read of its input may go without receiving a byte before the attempt fails
   * as `INPUT_STALLED` and the job is run again: a stalled GET otherwise holds a worker until its
   * time limit while the heartbeat keeps its lease alive. Context key `inputStallSeconds`.
   * @default 120
   */
  readonly inputStallSeconds: number;
  /**
   * Predicted Lambda run times are multiplied by this before they are compared with the
   * dispatcher's budget (≥ 1). Context key `routingSafetyFactor`.
   * @default 2
   */
  readonly routingSafetyFactor: number;
  /**
   * Largest object the pipeline accepts, in bytes. Context key `maxObjectBytes`.
   * @default 107374182400 (100 GiB)
   */
  readonly maxObjectBytes: number;
  /**
   * Days a job item is kept before DynamoDB TTL removes it. Context key `jobTtlDays`.
   * @default 30
   */
  readonly jobTtlDays: number;
  /**
   * Starts a job may have in all (first run plus re-drives after a crashed or lost worker)
   * before it fails. Context key `maxAttempts`.
   * @default 3
   */
  readonly maxAttempts: number;
  /**
   * First delay of the exponential backoff between RunTask retries and re-drives, in ms.
   * Context key `retryBaseMs`.
   * @default 1000
   */
  readonly retryBaseMs: number;
  /**
   * Longest a Fargate worker may spend on one job before it stops and fails the job as
   * `TIMED_OUT` (a cost bound for pathological inputs such as gzip bombs).
   * Context key `workerTimeoutMinutes`.
   * @default 720 (12 hours)
   */
  readonly workerTimeoutMinutes: number;
  /**
   * Minutes between two runs of the sweeper that re-drives jobs whose lease ran out.
   * Context key `sweepIntervalMinutes`.
   * @default 5
   */
  readonly sweepIntervalMinutes: number;
  /**
   * Worker tasks running or pending at once, at most; jobs beyond it wait in the launch queue.
   * Keep it under the account's Fargate vCPU quota divided by the task's vCPUs (the quota is per
   * account and region; new accounts get a small one). Context key `maxRunningTasks`.
   * @default 20
   */
  readonly maxRunningTasks: number;
  /**
   * Launcher invocations at once (the launch queue's event source `maxConcurrency`, at least 2):
   * each makes its RunTask calls one after another, so this bounds the call rate well under
   * ECS's 20 per second. Context key `launcherConcurrency`.
   * @default 2
   */
  readonly launcherConcurrency: number;
  /**
   * Minutes between two runs of the reconciler that gives a job to every upload whose event was
   * lost. Context key `reconcileIntervalMinutes`.
   * @default 30
   */
  readonly reconcileIntervalMinutes: number;
  /**
   * Uploads younger than this are left to their own event by the reconciler (S3 events arrive
   * within seconds, nearly always). Context key `reconcileGraceMinutes`.
   * @default 10
   */
  readonly reconcileGraceMinutes: number;
  /**
   * Uploads older than this are not reconciled: their job item may have expired (`jobTtlDays`),
   * and they must not run again. Must be shorter than `jobTtlDays`. Context key `reconcileLookbackHours`.
   * @default 48
   */
  readonly reconcileLookbackHours: number;
  /**
   * Uploads the reconciler hands to the dispatcher in one run at most; the rest wait for the
   * next run. Context key `reconcileMaxPerRun`.
   * @default 500
   */
  readonly reconcileMaxPerRun: number;
  /**
   * Storage class uploads under `incoming/` move to `archiveAfterDays` after they were uploaded
   * (results stay in STANDARD), or `none` to keep them in STANDARD. GLACIER_IR is read in
   * milliseconds like STANDARD at about a sixth of its storage price; GLACIER and DEEP_ARCHIVE
   * cost less still, but a job (or anyone) can read them only after a restore of hours
   * (`pipeline restore`). Context key `archiveStorageClass`.
   * @default 'GLACIER_IR'
   */
  readonly archiveStorageClass: ArchiveStorageClass | 'none';
  /**
   * Days after upload when an input moves to `archiveStorageClass`. For GLACIER and DEEP_ARCHIVE
   * it must be longer than `reconcileLookbackHours`, so that an upload whose event was lost is
   * still readable when the reconciler gives it its job. Context key `archiveAfterDays`.
   * @default 30
   */
  readonly archiveAfterDays: number;
  /**
   * Bytes one Athena query of the results may scan before the workgroup cancels it (at least
   * 10,000,000, Athena's minimum): a bound on what a query can cost. Context key `queryScanLimitBytes`.
   * @default 1000000000 (1 GB)
   */
  readonly queryScanLimitBytes: number;
  /**
   * Retention of every log group the stack creates (functions, worker, VPC flow logs), in days.
   * Context key `logRetentionDays`.
   * @default 30
   */
  readonly logRetentionDays: number;
  /**
   * What happens to buckets, the file system and the table when the stack is deleted. `destroy`
   * also empties the buckets. Context key `removalPolicy`.
   * @default 'destroy' when envName is 'sandbox', otherwise 'retain'
   */
  readonly removalPolicy: RemovalMode;
  /**
   * Address subscribed to the alarm topic. Context key `alarmEmail`.
   * @default - no subscription; alarms still publish to the topic
   */
  readonly alarmEmail?: string;
}

/** Reads one context value; `app.node.tryGetContext` in the app, a plain object in tests. */
export type ContextGetter = (key: string) => unknown;

/** A context value that cannot be used. The message names the context key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`Invalid context '${key}': ${message}`);
  }
}

/** The ephemeral storage a Fargate task may have, in GiB; the least is what it gets unasked. */
export const FARGATE_EPHEMERAL_STORAGE_GIB = { min: 21, max: 200 } as const;

export const DEFAULTS = {
  envName: 'sandbox',
  region: 'us-east-1',
  azCount: 2,
  natMode: 'none',
  vpcCidr: '10.40.0.0/16',
  ipv6: false,
  lambdaMemoryMb: LAMBDA_MB_PER_VCPU,
  lambdaTimeoutSeconds: LAMBDA_MAX_TIMEOUT_SECONDS,
  workerCpu: 1024,
  workerMemoryMb: 2048,
  workerArchitecture: 'arm64',
  workerEphemeralStorageGiB: FARGATE_EPHEMERAL_STORAGE_GIB.min,
  routingSafetyFactor: 2,
  s3ReadConcurrency: 4,
  inputStallSeconds: 120,
  maxObjectBytes: 100 * 1024 ** 3,
  jobTtlDays: 30,
  maxAttempts: 3,
  retryBaseMs: 1000,
  workerTimeoutMinutes: 720,
  /**
   * Seconds between ECS's SIGTERM and its SIGKILL for a worker task (ECS's own default is 30, and
   * Fargate allows up to 120). Set explicitly: the worker needs it to put its job back.
   */
  workerStopTimeoutSeconds: 30,
  sweepIntervalMinutes: 5,
  reconcileIntervalMinutes: 30,
  reconcileGraceMinutes: RECONCILE_DEFAULTS.graceMinutes,
  reconcileLookbackHours: RECONCILE_DEFAULTS.lookbackHours,
  reconcileMaxPerRun: RECONCILE_DEFAULTS.maxPerRun,
  logRetentionDays: 30,
  archiveStorageClass: 'GLACIER_IR',
  archiveAfterDays: 30,
  maxRunningTasks: 20,
  launcherConcurrency: 2,
  queryScanLimitBytes: 1_000_000_000,
} as const;

/** The launcher's timeout: a batch is at most 10 RunTask calls and a few reads and writes. */
export const LAUNCHER_TIMEOUT_SECONDS = 60;

const NAT_MODES: readonly NatMode[] = ['none', 'single', 'perAz'];
const ARCHITECTURES: readonly WorkerArchitecture[] = ['arm64', 'x86_64'];
const REMOVAL_MODES: readonly RemovalMode[] = ['destroy', 'retain'];
/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
/** Athena refuses a smaller per-query limit on bytes scanned. */
export const MIN_QUERY_SCAN_LIMIT_BYTES = 10_000_000;
/** S3's largest object. */
const MAX_S3_OBJECT_BYTES = 5 * 1024 ** 4;

/** Builds and validates the configuration; throws `ConfigError` naming the first bad key. */
export function loadConfig(get: ContextGetter): PipelineConfig {
  const envName = str(get, 'envName', DEFAULTS.envName);
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(envName)) {
    throw new ConfigError(
      'envName',
      `must be 1-20 lowercase letters, digits or '-', starting with a letter; got '${envName}'`,
    );
  }

  const region = str(get, 'region', DEFAULTS.region);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new ConfigError('region', `must be a region name like 'eu-west-1'; got '${region}'`);
  }

  const availabilityZones = zones(get, region);

  const removalDefault: RemovalMode = envName === 'sandbox' ? 'destroy' : 'retain';
  const alarmEmail = optionalStr(get, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new ConfigError('alarmEmail', `must be an e-mail address; got '${alarmEmail}'`);
  }

  const workerCpu = int(get, 'workerCpu', DEFAULTS.workerCpu, 256, 16384);
  const workerMemoryMb = int(get, 'workerMemoryMb', DEFAULTS.workerMemoryMb, 512, 122880);
  checkFargateSize(workerCpu, workerMemoryMb);

  const logRetentionDays = int(get, 'logRetentionDays', DEFAULTS.logRetentionDays, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new ConfigError(
      'logRetentionDays',
      `must be one of ${LOG_RETENTION_DAYS.join(', ')}; got ${logRetentionDays}`,
    );
  }

  const jobTtlDays = int(get, 'jobTtlDays', DEFAULTS.jobTtlDays, 1, 3650);
  const reconcileLookbackHours = int(
    get,
    'reconcileLookbackHours',
    DEFAULTS.reconcileLookbackHours,
    1,
    87600,
  );
  if (reconcileLookbackHours >= jobTtlDays * 24) {
    throw new ConfigError(
      'reconcileLookbackHours',
      `must be shorter than jobTtlDays (${jobTtlDays} days), or uploads whose job item expired would run again; got ${reconcileLookbackHours}`,
    );
  }

  const archiveStorageClass = oneOf<ArchiveStorageClass | 'none'>(
    get,
    'archiveStorageClass',
    [...ARCHIVE_STORAGE_CLASSES, 'none'],
    DEFAULTS.archiveStorageClass,
  );
  const archiveAfterDays = int(get, 'archiveAfterDays', DEFAULTS.archiveAfterDays, 1, 36500);
  if (
    (RESTORE_FIRST_CLASSES as readonly string[]).includes(archiveStorageClass) &&
    archiveAfterDays * 24 <= reconcileLookbackHours
  ) {
    throw new ConfigError(
      'archiveAfterDays',
      `must be longer than reconcileLookbackHours (${reconcileLookbackHours} hours) for ${archiveStorageClass}, or an upload whose event was lost could be archived before the reconciler gives it its job; got ${archiveAfterDays}`,
    );
  }

  const reserved = get('dispatcherReservedConcurrency');
  return {
    envName,
    region,
    availabilityZones,
    natMode: oneOf(get, 'natMode', NAT_MODES, DEFAULTS.natMode),
    vpcCidr: cidr16(get),
    ipv6: bool(get, 'ipv6', DEFAULTS.ipv6),
    lambdaMemoryMb: int(get, 'lambdaMemoryMb', DEFAULTS.lambdaMemoryMb, 128, 10240),
    lambdaTimeoutSeconds: int(
      get,
      'lambdaTimeoutSeconds',
      DEFAULTS.lambdaTimeoutSeconds,
      1,
      LAMBDA_MAX_TIMEOUT_SECONDS,
    ),
    dispatcherReservedConcurrency:
      reserved === undefined || reserved === null
        ? undefined
        : int(get, 'dispatcherReservedConcurrency', 0, 1, 10000),
    workerCpu,
    workerMemoryMb,
    workerArchitecture: oneOf(get, 'workerArchitecture', ARCHITECTURES, DEFAULTS.workerArchitecture),
    workerEphemeralStorageGiB: int(
      get,
      'workerEphemeralStorageGiB',
      DEFAULTS.workerEphemeralStorageGiB,
      FARGATE_EPHEMERAL_STORAGE_GIB.min,
      FARGATE_EPHEMERAL_STORAGE_GIB.max,
    ),
    workerImage: imageName(get),
    routingSafetyFactor: num(get, 'routingSafetyFactor', DEFAULTS.routingSafetyFactor, 1, 100),
    s3ReadConcurrency: int(get, 's3ReadConcurrency', DEFAULTS.s3ReadConcurrency, 1, 32),
    inputStallSeconds: int(get, 'inputStallSeconds', DEFAULTS.inputStallSeconds, 5, 3600),
    maxObjectBytes: int(get, 'maxObjectBytes', DEFAULTS.maxObjectBytes, 1, MAX_S3_OBJECT_BYTES),
    jobTtlDays,
    maxAttempts: int(get, 'maxAttempts', DEFAULTS.maxAttempts, 1, 10),
    retryBaseMs: int(get, 'retryBaseMs', DEFAULTS.retryBaseMs, 0, 60000),
    workerTimeoutMinutes: int(get, 'workerTimeoutMinutes', DEFAULTS.workerTimeoutMinutes, 1, 7 * 24 * 60),
    sweepIntervalMinutes: int(get, 'sweepIntervalMinutes', DEFAULTS.sweepIntervalMinutes, 1, 60),
    maxRunningTasks: int(get, 'maxRunningTasks', DEFAULTS.maxRunningTasks, 1, 10000),
    launcherConcurrency: int(get, 'launcherConcurrency', DEFAULTS.launcherConcurrency, 2, 1000),
    reconcileIntervalMinutes: int(
      get,
      'reconcileIntervalMinutes',
      DEFAULTS.reconcileIntervalMinutes,
      5,
      1440,
    ),
    reconcileGraceMinutes: int(get, 'reconcileGraceMinutes', DEFAULTS.reconcileGraceMinutes, 1, 1440),
    reconcileLookbackHours,
    reconcileMaxPerRun: int(get, 'reconcileMaxPerRun', DEFAULTS.reconcileMaxPerRun, 1, 100000),
    queryScanLimitBytes: int(
      get,
      'queryScanLimitBytes',
      DEFAULTS.queryScanLimitBytes,
      MIN_QUERY_SCAN_LIMIT_BYTES,
      Number.MAX_SAFE_INTEGER,
    ),
    logRetentionDays,
    archiveStorageClass,
    archiveAfterDays,
    removalPolicy: oneOf(get, 'removalPolicy', REMOVAL_MODES, removalDefault),
    alarmEmail,
  };
}

function optionalStr(get: ContextGetter, key: string): string | undefined {
  const value = get(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(key, `must be a string; got ${JSON.stringify(value)}`);
  return value.trim();
}

function str(get: ContextGetter, key: string, fallback: string): string {
  return optionalStr(get, key) ?? fallback;
}

function oneOf<T extends string>(get: ContextGetter, key: string, allowed: readonly T[], fallback: T): T {
  const value = str(get, key, fallback);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got '${value}'`);
  }
  return value as T;
}

/** Switches may arrive as JSON booleans (cdk.json) or as strings (`-c key=true`). */
function bool(get: ContextGetter, key: string, fallback: boolean): boolean {
  const raw = get(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (typeof raw === 'boolean') return raw;
  const value = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(key, `must be true or false; got ${JSON.stringify(raw)}`);
}

/** Numbers may arrive as JSON numbers (cdk.json) or as strings (`-c key=value`). */
function num(get: ContextGetter, key: string, fallback: number, min: number, max: number): number {
  const raw = get(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(value)) throw new ConfigError(key, `must be a number; got ${JSON.stringify(raw)}`);
  if (value < min || value > max)
    throw new ConfigError(key, `must be between ${min} and ${max}; got ${value}`);
  return value;
}

function int(get: ContextGetter, key: string, fallback: number, min: number, max: number): number {
  const value = num(get, key, fallback, min, max);
  if (!Number.isInteger(value)) throw new ConfigError(key, `must be a whole number; got ${value}`);
  return value;
}

function zones(get: ContextGetter, region: string): string[] {
  const raw = get('availabilityZones');
  const countGiven = get('azCount') !== undefined && get('azCount') !== null && get('azCount') !== '';
  const count = int(get, 'azCount', DEFAULTS.azCount, 2, 6);
  if (raw === undefined || raw === null || raw === '') {
    if (count > 3) {
      throw new ConfigError(
        'azCount',
        `more than 3 AZs needs their names in context 'availabilityZones'; got ${count}`,
      );
    }
    return ['a', 'b', 'c'].slice(0, count).map((letter) => `${region}${letter}`);
  }
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : raw;
  if (!Array.isArray(list) || !list.every((z): z is string => typeof z === 'string')) {
    throw new ConfigError('availabilityZones', `must be a list of zone names; got ${JSON.stringify(raw)}`);
  }
  for (const zone of list) {
    if (!zone.startsWith(region) || !/^[a-z]$/.test(zone.slice(region.length))) {
      throw new ConfigError(
        'availabilityZones',
        `'${zone}' is not a zone of region '${region}' (expected '${region}a' …)`,
      );
    }
  }
  if (new Set(list).size !== list.length) {
    throw new ConfigError('availabilityZones', `lists a zone twice: ${list.join(', ')}`);
  }
  if (list.length < 2 || list.length > 6) {
    throw new ConfigError('availabilityZones', `must name 2 to 6 zones; got ${list.length}`);
  }
  if (countGiven && count !== list.length) {
    throw new ConfigError('azCount', `is ${count} but 'availabilityZones' names ${list.length} zones`);
  }
  return list;
}

function imageName(get: ContextGetter): string | undefined {
  const value = optionalStr(get, 'workerImage');
  // Docker's reference grammar, loosely: lower-case path, optional registry host, tag or digest.
  if (value !== undefined && !/^[a-z0-9][a-z0-9._/:-]*(@sha256:[a-f0-9]{64})?$/.test(value)) {
    throw new ConfigError('workerImage', `must be an image name like 'repo/worker:1.0'; got '${value}'`);
  }
  return value;
}

function cidr16(get: ContextGetter): string {
  const value = str(get, 'vpcCidr', DEFAULTS.vpcCidr);
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  if (!match || octets.some((o) => o > 255)) {
    throw new ConfigError('vpcCidr', `must be an IPv4 CIDR like '10.40.0.0/16'; got '${value}'`);
  }
  if (match[5] !== '16' || octets[2] !== 0 || octets[3] !== 0) {
    throw new ConfigError(
      'vpcCidr',
      `must be a /16 network (x.y.0.0/16), as the subnet plan assumes; got '${value}'`,
    );
  }
  return value;
}

/** The CPU/memory pairs Fargate accepts (Linux). */
function checkFargateSize(cpu: number, memory: number): void {
  const gb = 1024;
  const ranges: Record<number, { min: number; max: number; step: number } | number[]> = {
    256: [512, 1 * gb, 2 * gb],
    512: { min: 1 * gb, max: 4 * gb, step: gb },
    1024: { min: 2 * gb, max: 8 * gb, step: gb },
    2048: { min: 4 * gb, max: 16 * gb, step: gb },
    4096: { min: 8 * gb, max: 30 * gb, step: gb },
    8192: { min: 16 * gb, max: 60 * gb, step: 4 * gb },
    16384: { min: 32 * gb, max: 120 * gb, step: 8 * gb },
  };
  const allowed = ranges[cpu];
  if (!allowed) {
    throw new ConfigError('workerCpu', `must be one of ${Object.keys(ranges).join(', ')}; got ${cpu}`);
  }
  const ok = Array.isArray(allowed)
    ? allowed.includes(memory)
    : memory >= allowed.min && memory <= allowed.max && (memory - allowed.min) % allowed.step === 0;
  if (!ok) {
    const options = Array.isArray(allowed)
      ? allowed.join(', ')
      : `${allowed.min}-${allowed.max} in steps of ${allowed.step}`;
    throw new ConfigError('workerMemoryMb', `must be ${options} MiB for workerCpu ${cpu}; got ${memory}`);
  }
}
