import path from 'node:path';
import { FORCED_ROUTE_METADATA } from '../../contract/names.js';
import { applyForcedRoute, decideRoute, type RoutingPolicy } from '../../contract/routing.js';
import { JobAbortedError, type FileKind } from '../core/api.js';
import { describeFile } from '../core/index.js';
import { archivedInputError, archiveState, INPUT_ARCHIVED, isReadable } from './archive.js';
import type { LaunchQueue } from './aws/launch-queue.js';
import type { ObjectHead } from './aws/objects.js';
import { executeJob, failJob, type ExecuteDeps } from './execute.js';
import { epochSeconds, jobIdFor, type Job } from './job.js';
import { isIncomingKey, MAX_KEY_BYTES, resultKeyFor } from './keys.js';
import { LAMBDA_LEASE_MARGIN_SECONDS, LAUNCH_WAIT_LEASE_SECONDS } from './leases.js';

/** What the dispatcher needs on top: routing, limits and the queue where jobs wait for a worker task. */
export interface DispatchDeps extends ExecuteDeps {
  launches: LaunchQueue;
  policy: RoutingPolicy;
  maxObjectBytes: number;
  jobTtlDays: number;
}

export interface ObjectRef {
  bucket: string;
  /** The decoded key. */
  key: string;
  versionId?: string | null;
  /**
   * What S3 reported: a new object version, or a completed restore of an archived one, which
   * only resumes a job that failed as INPUT_ARCHIVED and never creates one.
   * @default 'created'
   */
  event?: 'created' | 'restored';
}

export type DispatchOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'duplicate'; job: Job }
  | { outcome: 'failed'; job: Job }
  | { outcome: 'succeeded'; job: Job }
  | { outcome: 'dispatched'; job: Job; handedOff: boolean };

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
  if (!isIncomingKey(ref.key)) return { outcome: 'ignored', reason: `not under incoming/: ${ref.key}` };

  const head = await deps.objects.head(ref.bucket, ref.key, ref.versionId);
  const kind = describeFile(ref.key);
  const created = deps.now();
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
  const claim =
    ref.event === 'restored'
      ? await deps.jobs.resumeArchived(fresh.jobId, fresh.leaseUntil!, created)
      : await deps.jobs.claim(fresh, created);
  // A restore someone made for their own reasons, or of an input whose job item has expired:
  // creating a job here could run a finished job again.
  if (!claim) return { outcome: 'ignored', reason: `restored, but has no job to resume: ${ref.key}` };
  const job = claim.job;
  if (claim.outcome === 'duplicate') {
    deps.telemetry.logger.info('repeated event for a job already handled', {
      jobId: job.jobId,
      status: job.status,
    });
    return { outcome: 'duplicate', job };
  }

  try {
    return await routeAndRun(job, kind, head, deps, invocation?.deadline);
  } catch (error) {
    // Let the retry of this event claim the job again at once instead of waiting out the lease.
    await deps.jobs.transition(job.jobId, 'QUEUED', { leaseUntil: 0, error: String(error) }, deps.now());
    throw error;
  }
}

async function routeAndRun(
  job: Job,
  kind: FileKind | undefined,
  head: ObjectHead,
  deps: DispatchDeps,
  deadline?: AbortSignal,
): Promise<DispatchOutcome> {
  const log = deps.telemetry.logger;
  if (!kind) {
    const expected = 'expected .fastq, .fq or .csv, optionally gzipped as .gz';
    return failJob(
      job,
      new Error(`unsupported file type: ${path.basename(job.key)} (${expected})`),
      'UNSUPPORTED_FORMAT',
      deps,
    );
  }
  if (Buffer.byteLength(resultKeyFor(job.key)) > MAX_KEY_BYTES) {
    const limit = `${MAX_KEY_BYTES - 4} bytes, so that its result key fits S3's limit`;
    return failJob(job, new Error(`the key is too long: at most ${limit}`), 'KEY_TOO_LONG', deps);
  }
  if (job.size > deps.maxObjectBytes) {
    return failJob(
      job,
      new Error(`object is ${job.size} bytes, over the limit of ${deps.maxObjectBytes}`),
      'TOO_LARGE',
      deps,
    );
  }
  // Checked last: restoring an input that would then fail for another reason helps nobody.
  const archive = archiveState(head);
  if (!isReadable(archive)) {
    return failJob(job, archivedInputError(job.key, job.versionId, head, archive), INPUT_ARCHIVED, deps);
  }

  const forced = head.metadata[FORCED_ROUTE_METADATA];
  const decision = applyForcedRoute(decideRoute(job.size, kind, deps.policy), forced);
  const { route, ...routing } = decision;
  log.info('routed', { jobId: job.jobId, key: job.key, size: job.size, ...decision });
  if (route === 'ecs') return startOnEcs(job, routing, deps, false);

  await deps.jobs.transition(
    job.jobId,
    'RUNNING',
    { route, routing, startedAt: deps.now().toISOString() },
    deps.now(),
  );
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

/**
 * Hands the job to ECS: it waits in the launch queue until the launcher can start its task, so a
 * burst of long jobs queues instead of failing on ECS's limits.
 */
async function startOnEcs(
  job: Job,
  routing: Job['routing'],
  deps: DispatchDeps,
  handedOff: boolean,
): Promise<DispatchOutcome> {
  const fields: Partial<Job> = {
    route: 'ecs',
    routing,
    leaseUntil: epochSeconds(deps.now()) + LAUNCH_WAIT_LEASE_SECONDS,
  };
  // Recorded before the request is sent, so the launcher finds the job waiting for it.
  await deps.jobs.transition(job.jobId, 'QUEUED', fields, deps.now());
  await deps.launches.request({ jobId: job.jobId, attempt: job.attempts });
  return { outcome: 'dispatched', job: { ...job, ...fields }, handedOff };
}
