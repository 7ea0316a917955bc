import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, JobAbortedError, type FileKind } from '../core/api.js';
import { describeFile, runJob } from '../core/index.js';
import type { JobsTable } from './aws/jobs-table.js';
import type { Objects } from './aws/objects.js';
import { TaskPlacementError, type WorkerTasks } from './aws/tasks.js';
import { epochSeconds, jobIdFor, type Job, type ResultDocument } from './job.js';
import { LAMBDA_LEASE_MARGIN_SECONDS, QUEUED_ON_ECS_LEASE_SECONDS } from './leases.js';
import { isIncomingKey, MAX_KEY_BYTES, resultKeyFor, sharedResultPath } from './keys.js';
import { decideRoute, type Route, type RoutingPolicy } from '../../contract/routing.js';
import type { Telemetry } from './telemetry.js';

/** What running a job needs: built once per process by the dispatcher or the worker. */
export interface ExecuteDeps {
  jobs: JobsTable;
  objects: Objects;
  sharedMountPath: string;
  telemetry: Telemetry;
  /** Inflate gzip on a second thread (the core's default: when the machine shows a second core). */
  gunzipOnWorker?: boolean;
  now?: () => Date;
}

/** What the dispatcher needs on top: routing, limits and a way to start worker tasks. */
export interface DispatchDeps extends ExecuteDeps {
  tasks: WorkerTasks;
  policy: RoutingPolicy;
  maxObjectBytes: number;
  jobTtlDays: number;
}

export interface ObjectRef {
  bucket: string;
  /** The decoded key. */
  key: string;
  versionId?: string | null;
}

export type DispatchOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'duplicate'; job: Job }
  | { outcome: 'failed'; job: Job }
  | { outcome: 'succeeded'; job: Job }
  | { outcome: 'dispatched'; job: Job; handedOff: boolean };

/**
 * Object metadata that overrides the routing policy (`x-amz-meta-pipeline-route: ecs`), for an
 * operator who knows better than the prediction, and for tests that run one file both ways.
 */
export const FORCED_ROUTE_METADATA = 'pipeline-route';

/** The Lambda invocation a dispatch runs in. */
export interface Invocation {
  /** Fires when the job must stop and be handed to ECS. */
  deadline: AbortSignal;
  /** When the invocation times out (epoch ms): a job run here is abandoned after it. */
  endsAt: number;
}

/**
 * The dispatcher's work for one object: create (or find) the job, refuse what must be refused,
 * route it, and either run it here or start a worker task. `deadline` aborts a job that runs long
 * inside Lambda; it is then handed to ECS instead of timing out.
 */
export async function dispatchObject(
  ref: ObjectRef,
  deps: DispatchDeps,
  invocation?: Invocation,
): Promise<DispatchOutcome> {
  const now = deps.now ?? (() => new Date());
  if (!isIncomingKey(ref.key)) return { outcome: 'ignored', reason: `not under incoming/: ${ref.key}` };

  const head = await deps.objects.head(ref.bucket, ref.key, ref.versionId);
  const kind = describeFile(ref.key);
  const created = now();
  const fresh: Job = {
    jobId: jobIdFor(ref.bucket, ref.key, head.versionId),
    bucket: ref.bucket,
    key: ref.key,
    versionId: head.versionId,
    size: head.size,
    format: kind?.format,
    gzip: kind?.gzip,
    status: 'QUEUED',
    attempts: 1,
    createdAt: created.toISOString(),
    updatedAt: created.toISOString(),
    // Until this invocation is over: a retry after a timeout or crash may claim the job again.
    leaseUntil:
      Math.ceil((invocation?.endsAt ?? created.getTime() + deps.policy.lambdaBudgetSeconds * 1000) / 1000) +
      LAMBDA_LEASE_MARGIN_SECONDS,
    expiresAt: epochSeconds(created) + deps.jobTtlDays * 86400,
  };
  const claim = await deps.jobs.claim(fresh, created);
  const job = claim.job;
  if (claim.outcome === 'duplicate') {
    deps.telemetry.logger.info('repeated event for a job already handled', {
      jobId: job.jobId,
      status: job.status,
    });
    return { outcome: 'duplicate', job };
  }

  try {
    return await routeAndRun(job, kind, forcedRoute(head.metadata), deps, invocation?.deadline);
  } catch (error) {
    // Let the retry of this event claim the job again at once instead of waiting out the lease.
    await deps.jobs.transition(job.jobId, 'QUEUED', { leaseUntil: 0, error: String(error) }, now());
    throw error;
  }
}

async function routeAndRun(
  job: Job,
  kind: FileKind | undefined,
  forced: Route | undefined,
  deps: DispatchDeps,
  deadline?: AbortSignal,
): Promise<DispatchOutcome> {
  const now = deps.now ?? (() => new Date());
  const log = deps.telemetry.logger;
  if (!kind) {
    const expected = 'expected .fastq, .fq or .csv, optionally gzipped as .gz';
    return fail(
      job,
      new Error(`unsupported file type: ${path.basename(job.key)} (${expected})`),
      'UNSUPPORTED_FORMAT',
      deps,
    );
  }
  if (Buffer.byteLength(resultKeyFor(job.key)) > MAX_KEY_BYTES) {
    const limit = `${MAX_KEY_BYTES - 4} bytes, so that its result key fits S3's limit`;
    return fail(job, new Error(`the key is too long: at most ${limit}`), 'KEY_TOO_LONG', deps);
  }
  if (job.size > deps.maxObjectBytes) {
    return fail(
      job,
      new Error(`object is ${job.size} bytes, over the limit of ${deps.maxObjectBytes}`),
      'TOO_LARGE',
      deps,
    );
  }

  const predicted = decideRoute(job.size, kind, deps.policy);
  const decision = forced
    ? { ...predicted, route: forced, reason: `forced by object metadata; ${predicted.reason}` }
    : predicted;
  const { route, ...routing } = decision;
  log.info('routed', { jobId: job.jobId, key: job.key, size: job.size, ...decision });
  if (route === 'ecs') return startOnEcs(job, routing, deps, false);

  await deps.jobs.transition(job.jobId, 'RUNNING', { route, routing, startedAt: now().toISOString() }, now());
  deps.telemetry.jobStarted('lambda');
  try {
    const done = await executeJob({ ...job, route, routing }, 'lambda', deps, deadline);
    return { outcome: done.status === 'SUCCEEDED' ? 'succeeded' : 'failed', job: done };
  } catch (error) {
    // The SDK may surface the abort as its own error from the body stream.
    if (!(error instanceof JobAbortedError) && !deadline?.aborted) throw error;
    log.warn('running out of Lambda time: handing the job to ECS', { jobId: job.jobId });
    return startOnEcs(
      job,
      { ...routing, reason: `${routing.reason}; handed to ECS when Lambda time ran short` },
      deps,
      true,
    );
  }
}

async function startOnEcs(
  job: Job,
  routing: Job['routing'],
  deps: DispatchDeps,
  handedOff: boolean,
): Promise<DispatchOutcome> {
  const now = deps.now ?? (() => new Date());
  let taskArn: string;
  try {
    taskArn = await deps.tasks.start(job);
  } catch (error) {
    if (!(error instanceof TaskPlacementError)) throw error;
    return fail({ ...job, route: 'ecs', routing }, error, 'TASK_PLACEMENT_FAILED', deps);
  }
  const fields: Partial<Job> = {
    route: 'ecs',
    routing,
    taskArn,
    leaseUntil: epochSeconds(now()) + QUEUED_ON_ECS_LEASE_SECONDS,
  };
  await deps.jobs.transition(job.jobId, 'QUEUED', fields, now());
  deps.telemetry.jobStarted('ecs');
  return { outcome: 'dispatched', job: { ...job, ...fields }, handedOff };
}

/**
 * Runs the job core on the object and publishes the result: `results/<path>.json` in the bucket
 * and the same document on the shared file system. Input errors end the job as FAILED with the
 * core's message; anything else is thrown to the caller (it may be transient).
 */
export async function executeJob(
  job: Job,
  route: Route,
  deps: ExecuteDeps,
  signal?: AbortSignal,
): Promise<Job> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  try {
    const input = await deps.objects.open(job.bucket, job.key, job.versionId, signal, job.size);
    const report = await runJob(input.body, { name: job.key, signal, gunzipOnWorker: deps.gunzipOnWorker });
    const finished = now();
    const resultKey = resultKeyFor(job.key);
    const document: ResultDocument = {
      job: {
        jobId: job.jobId,
        bucket: job.bucket,
        key: job.key,
        versionId: job.versionId,
        route,
        attempt: job.attempts,
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        sourceLastModified: input.lastModified.toISOString(),
      },
      report,
    };
    // A newer upload of the same key may have finished first: its result is never overwritten.
    const published = await deps.objects.publishResult(job.bucket, resultKey, document, input.lastModified);
    if (published) await writeShared(sharedResultPath(deps.sharedMountPath, job.key), document);
    const fields: Partial<Job> = {
      resultKey,
      superseded: published ? undefined : true,
      finishedAt: finished.toISOString(),
      durationMs: document.job.durationMs,
      error: undefined,
      errorCode: undefined,
    };
    await deps.jobs.transition(job.jobId, 'SUCCEEDED', fields, finished);
    deps.telemetry.jobFinished(route, 'SUCCEEDED', document.job.durationMs);
    deps.telemetry.logger.info('job succeeded', {
      jobId: job.jobId,
      route,
      resultKey,
      durationMs: fields.durationMs,
      superseded: !published,
    });
    return { ...job, ...fields, route, status: 'SUCCEEDED' };
  } catch (error) {
    if (error instanceof InputError) {
      const failed = await fail({ ...job, route }, error, error.code, deps);
      return failed.job;
    }
    throw error;
  }
}

async function fail(
  job: Job,
  error: Error,
  code: string,
  deps: ExecuteDeps,
): Promise<{ outcome: 'failed'; job: Job }> {
  const now = (deps.now ?? (() => new Date()))();
  const fields: Partial<Job> = { error: error.message, errorCode: code, finishedAt: now.toISOString() };
  await deps.jobs.transition(job.jobId, 'FAILED', fields, now);
  deps.telemetry.jobFinished(job.route ?? 'lambda', 'FAILED');
  deps.telemetry.logger.warn('job failed', { jobId: job.jobId, key: job.key, code, error: error.message });
  return { outcome: 'failed', job: { ...job, ...fields, status: 'FAILED' } };
}

/**
 * Written to a temporary name and renamed, so a reader never sees half a report; a report of a
 * newer input version already there is kept (the bucket's conditional write decided the same).
 */
async function writeShared(file: string, document: ResultDocument): Promise<void> {
  const existing = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as ResultDocument,
    () => undefined,
  );
  if (existing && existing.job.sourceLastModified > document.job.sourceLastModified) return;
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(document, null, 2) + '\n');
  await rename(temporary, file);
}

function forcedRoute(metadata: Record<string, string>): Route | undefined {
  const value = metadata[FORCED_ROUTE_METADATA]?.trim().toLowerCase();
  return value === 'lambda' || value === 'ecs' ? value : undefined;
}
