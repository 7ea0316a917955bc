/**
 * The launcher drains the launch queue: one worker task per request, as fast as ECS accepts them
 * and never more at once than the cap. A request it cannot serve now (the cap is reached, ECS
 * throttles or has no capacity) goes back to the queue with a backoff: nothing waits inside the
 * function, and no job fails for being early.
 */
import type { JobsTable } from './aws/jobs-table.js';
import { parseLaunchRequest, type LaunchQueue } from './aws/launch-queue.js';
import { TaskLaunchRefused, type WorkerTasks } from './aws/tasks.js';
import { epochSeconds, type Job } from './job.js';
import { backoffMs, LAUNCH_WAIT_LEASE_SECONDS, QUEUED_ON_ECS_LEASE_SECONDS } from './leases.js';
import type { Telemetry } from './telemetry.js';

export interface LauncherDeps {
  jobs: JobsTable;
  tasks: WorkerTasks;
  queue: LaunchQueue;
  /** Worker tasks running or pending now. */
  activeTasks(): Promise<number>;
  maxRunningTasks: number;
  retryBaseMs: number;
  telemetry: Telemetry;
  now?: () => Date;
}

/** One message of the launch queue, as the SQS event source delivers it. */
export interface LaunchMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
  /** How many times SQS has delivered it, this time included. */
  receiveCount: number;
}

export type LaunchOutcome =
  /** A task was started for the request. */
  | 'launched'
  /** Nothing to do: the job has moved on (finished, re-driven, launched already) or is unknown. */
  | 'stale'
  /** Not now: back to the queue with a backoff. */
  | 'deferred'
  /** ECS refused the task for good: the job failed with the reason. */
  | 'refused';

/** Longest a deferred request stays out of sight: tasks finish and throttles pass within it. */
const MAX_DEFER_SECONDS = 60;

/** How long a request waits after its `receiveCount`-th delivery could not be served. */
function deferSeconds(receiveCount: number, retryBaseMs: number, random?: () => number): number {
  const ms = backoffMs(receiveCount, Math.max(retryBaseMs, 1000), random);
  return Math.min(MAX_DEFER_SECONDS, Math.max(1, Math.round(ms / 1000)));
}

/**
 * Serves a batch of launch requests in order. Returns each message's outcome; those `deferred`
 * are to be reported as failed items, so SQS delivers them again after their backoff.
 */
export async function launchBatch(
  messages: readonly LaunchMessage[],
  deps: LauncherDeps,
): Promise<Map<string, LaunchOutcome>> {
  const outcomes = new Map<string, LaunchOutcome>();
  let free = deps.maxRunningTasks - (await deps.activeTasks());
  for (const message of messages) {
    const outcome = await launchOne(message, deps, free > 0);
    if (outcome === 'launched') free--;
    // A throttle or a full cluster holds for the rest of the batch too.
    if (outcome === 'deferred') free = 0;
    outcomes.set(message.messageId, outcome);
  }
  return outcomes;
}

async function launchOne(
  message: LaunchMessage,
  deps: LauncherDeps,
  mayStart: boolean,
): Promise<LaunchOutcome> {
  const now = deps.now ?? (() => new Date());
  const log = deps.telemetry.logger;
  let request;
  try {
    request = parseLaunchRequest(message.body);
  } catch (error) {
    log.error('dropping a message that is not a launch request', { error: String(error) });
    return 'stale';
  }
  const job = await deps.jobs.get(request.jobId);
  if (!isWaiting(job, request.attempt)) return 'stale';
  if (!mayStart) return defer(job, message, deps, 'the running-task cap is reached');

  let taskArn: string;
  try {
    ({ taskArn } = await deps.tasks.launch(job, request.attempt));
  } catch (error) {
    if (!(error instanceof TaskLaunchRefused)) throw error;
    if (error.transient) return defer(job, message, deps, error.refusal.reason);
    const fields: Partial<Job> = {
      error: `ECS refused the worker task: ${error.refusal.reason}`,
      errorCode: 'TASK_LAUNCH_REFUSED',
      finishedAt: now().toISOString(),
    };
    if (await deps.jobs.transition(job.jobId, 'FAILED', fields, now())) {
      deps.telemetry.jobFinished('ecs', 'FAILED');
      log.warn('job failed: worker task refused', { jobId: job.jobId, reason: error.refusal.reason });
    }
    return 'refused';
  }
  // Placing the task and pulling the image take minutes; the task's lease starts now.
  const fields: Partial<Job> = { taskArn, leaseUntil: epochSeconds(now()) + QUEUED_ON_ECS_LEASE_SECONDS };
  await deps.jobs.transition(job.jobId, 'QUEUED', fields, now());
  deps.telemetry.jobStarted('ecs');
  log.info('worker task started', { jobId: job.jobId, attempt: request.attempt, taskArn });
  return 'launched';
}

/** The job still waits for a task for this attempt: not finished, not re-driven since, not launched. */
function isWaiting(job: Job | undefined, attempt: number): job is Job {
  return job !== undefined && job.status === 'QUEUED' && job.attempts === attempt && !job.taskArn;
}

async function defer(
  job: Job,
  message: LaunchMessage,
  deps: LauncherDeps,
  reason: string,
): Promise<'deferred'> {
  const now = deps.now ?? (() => new Date());
  const seconds = deferSeconds(message.receiveCount, deps.retryBaseMs);
  await deps.queue.defer(message.receiptHandle, seconds);
  // Waiting is not abandonment: the sweeper leaves the job to the queue meanwhile.
  await deps.jobs.transition(
    job.jobId,
    'QUEUED',
    { leaseUntil: epochSeconds(now()) + seconds + LAUNCH_WAIT_LEASE_SECONDS },
    now(),
  );
  deps.telemetry.logger.info('launch deferred', { jobId: job.jobId, reason, retryInSeconds: seconds });
  return 'deferred';
}
