import type { JobsTable } from './aws/jobs-table.js';
import type { LaunchQueue } from './aws/launch-queue.js';
import { epochSeconds, type Job } from './job.js';
import { backoffMs, LAUNCH_WAIT_LEASE_SECONDS } from './leases.js';
import type { Telemetry } from './telemetry.js';

export interface RedriveDeps {
  jobs: JobsTable;
  launches: LaunchQueue;
  /** Starts in all, the first run included. */
  maxAttempts: number;
  retryBaseMs: number;
  telemetry: Telemetry;
  now?: () => Date;
}

export type RedriveOutcome = 'redriven' | 'failed' | 'raced';

export interface Failure {
  reason: string;
  code: string;
  /** Worth another attempt (a crash, a lost worker), unlike bad input or running out of memory. */
  transient: boolean;
  exitCode?: number;
  stoppedReason?: string;
}

/**
 * Starts an unfinished job again on ECS after a transient failure, until it has used its
 * attempts; then, or for a permanent failure, ends it as FAILED with the reason. The new attempt
 * waits its backoff in the launch queue (a delayed message), not in this function. The
 * conditional re-drive makes two re-drivers (a task-state event and the sweeper) ask once.
 */
export async function redriveOrFail(job: Job, failure: Failure, deps: RedriveDeps): Promise<RedriveOutcome> {
  const now = deps.now ?? (() => new Date());
  const log = deps.telemetry.logger;
  if (!failure.transient || job.attempts >= deps.maxAttempts) {
    const error = failure.transient
      ? `${failure.reason} (gave up after ${job.attempts} attempts)`
      : failure.reason;
    const fields: Partial<Job> = {
      error,
      errorCode: failure.code,
      exitCode: failure.exitCode,
      stoppedReason: failure.stoppedReason,
      finishedAt: now().toISOString(),
    };
    const recorded = await deps.jobs.transition(job.jobId, 'FAILED', fields, now());
    if (!recorded) return 'raced';
    deps.telemetry.jobFinished(job.route ?? 'ecs', 'FAILED');
    log.warn('job failed', { jobId: job.jobId, key: job.key, attempts: job.attempts, error });
    return 'failed';
  }
  const delaySeconds = backoffMs(job.attempts, deps.retryBaseMs) / 1000;
  const claimed = await deps.jobs.redrive(
    job.jobId,
    job.attempts,
    epochSeconds(now()) + Math.ceil(delaySeconds) + LAUNCH_WAIT_LEASE_SECONDS,
    now(),
  );
  if (!claimed) return 'raced';
  const note = { route: 'ecs' as const, error: `attempt ${job.attempts}: ${failure.reason}` };
  await deps.jobs.transition(job.jobId, 'QUEUED', note, now());
  await deps.launches.request({ jobId: job.jobId, attempt: claimed.attempts }, delaySeconds);
  log.info('job re-driven on ECS', {
    jobId: job.jobId,
    attempt: claimed.attempts,
    delaySeconds,
    reason: failure.reason,
  });
  return 'redriven';
}

/**
 * The sweeper's pass: every unfinished job whose lease ran out (its runner died without a word:
 * a Lambda that timed out on every retry, a worker whose stop event was lost) is re-driven or
 * failed.
 */
export async function sweepExpired(deps: RedriveDeps, limit = 100): Promise<Record<RedriveOutcome, number>> {
  const now = deps.now ?? (() => new Date());
  const counts: Record<RedriveOutcome, number> = { redriven: 0, failed: 0, raced: 0 };
  for (const job of await deps.jobs.listExpired(now(), limit)) {
    const since = job.leaseUntil ? new Date(job.leaseUntil * 1000).toISOString() : 'never';
    const outcome = await redriveOrFail(
      job,
      {
        reason: `no sign of life from its ${job.route ?? 'dispatcher'} run since ${since}`,
        code: 'ABANDONED',
        transient: true,
      },
      { ...deps, retryBaseMs: 0 },
    );
    counts[outcome]++;
  }
  return counts;
}
