import { Env } from '../../contract/names.js';
import { epochSeconds, type Job } from './job.js';
import { HEARTBEAT_SECONDS, RUNNING_LEASE_SECONDS } from './leases.js';
import { executeJob, type ExecuteDeps } from './execute.js';
import { required } from './settings.js';
import { InputStalledError } from './stall-watchdog.js';

/**
 * Exit codes of the worker process: 1 means the job was failed for good (bad input, time limit);
 * 3 that the job was put back unfinished, to be run again at once (the task was told to stop, or
 * its input stalled).
 */
export const WorkerExit = { succeeded: 0, inputFailed: 1, error: 2, putBack: 3 } as const;

export interface WorkerOptions {
  /** The task this worker runs in, recorded on the job. @default - the one the dispatcher recorded */
  taskArn?: string;
  /** Aborted when the task is told to stop (SIGTERM): the job is then put back, not finished. */
  stop?: AbortSignal;
}

/**
 * The worker task's job: find the job the overrides name, run the core on the object version and
 * publish the result. A job that is already SUCCEEDED (a repeated task) is left as it is.
 */
export async function runWorker(
  env: NodeJS.ProcessEnv,
  deps: ExecuteDeps,
  options: WorkerOptions = {},
): Promise<number> {
  const now = deps.now ?? (() => new Date());
  const jobId = required(env, Env.JOB_ID);
  // Settings first: a worker that cannot run the job must not mark it RUNNING.
  const timeoutSeconds = jobTimeoutSeconds(env);
  const job = await deps.jobs.get(jobId);
  if (!job) throw new Error(`job ${jobId} does not exist`);
  const expected = { bucket: required(env, Env.JOB_BUCKET), key: required(env, Env.JOB_KEY) };
  if (job.bucket !== expected.bucket || job.key !== expected.key) {
    throw new Error(
      `job ${jobId} is for s3://${job.bucket}/${job.key}, not s3://${expected.bucket}/${expected.key}`,
    );
  }
  if (job.status === 'SUCCEEDED') {
    deps.telemetry.logger.info('job already succeeded; nothing to do', { jobId });
    return WorkerExit.succeeded;
  }
  const lease = () => epochSeconds(now()) + RUNNING_LEASE_SECONDS;
  const running: Partial<Job> = {
    route: 'ecs',
    startedAt: now().toISOString(),
    taskArn: options.taskArn ?? job.taskArn,
    leaseUntil: lease(),
  };
  await deps.jobs.transition(jobId, 'RUNNING', running, now());
  // The heartbeat keeps a long job from looking abandoned to the sweeper while this worker lives.
  const heartbeat = setInterval(() => {
    deps.jobs.heartbeat(jobId, lease(), now()).catch((error: unknown) => {
      deps.telemetry.logger.warn('heartbeat failed', { jobId, error: String(error) });
    });
  }, HEARTBEAT_SECONDS * 1000);
  heartbeat.unref();
  const deadline = AbortSignal.timeout(timeoutSeconds * 1000);
  const signal = options.stop ? AbortSignal.any([deadline, options.stop]) : deadline;
  try {
    const done = await executeJob({ ...job, ...running }, 'ecs', deps, signal);
    return done.status === 'SUCCEEDED' ? WorkerExit.succeeded : WorkerExit.inputFailed;
  } catch (error) {
    clearInterval(heartbeat);
    if (options.stop?.aborted) {
      return putBack(jobId, 'WORKER_INTERRUPTED', 'the worker task was told to stop (SIGTERM)', deps);
    }
    if (error instanceof InputStalledError) return putBack(jobId, error.code, error.message, deps);
    if (!deadline.aborted) throw error;
    // A bound on cost: an input that takes this long (a gzip bomb, say) will not go faster on a retry.
    const message = `stopped after ${timeoutSeconds} s, the worker's limit per job (${Env.JOB_TIMEOUT_SECONDS})`;
    await deps.jobs.transition(
      jobId,
      'FAILED',
      { error: message, errorCode: 'TIMED_OUT', finishedAt: now().toISOString() },
      now(),
    );
    deps.telemetry.jobFinished('ecs', 'FAILED');
    return WorkerExit.inputFailed;
  } finally {
    clearInterval(heartbeat);
  }
}

function jobTimeoutSeconds(env: NodeJS.ProcessEnv): number {
  const seconds = Number(required(env, Env.JOB_TIMEOUT_SECONDS));
  if (!(seconds > 0) || !Number.isFinite(seconds))
    throw new Error(`${Env.JOB_TIMEOUT_SECONDS} must be a positive number of seconds`);
  return seconds;
}

/**
 * Hands an unfinished job back: QUEUED with a lease that has already run out, so the stopped
 * task's state-change event (or, should it be lost, the sweeper's next pass) re-drives it at once
 * instead of after the running lease. The task, not the job, was at fault, so nothing is failed
 * here: the task-state handler decides from the stop code (a person's StopTask still fails it).
 */
async function putBack(jobId: string, code: string, reason: string, deps: ExecuteDeps): Promise<number> {
  const now = deps.now();
  const queued = await deps.jobs.transition(
    jobId,
    'QUEUED',
    { leaseUntil: 0, error: reason, errorCode: code },
    now,
  );
  deps.telemetry.logger.warn(queued ? 'job put back to run again' : 'job already finished', {
    jobId,
    code,
    reason,
  });
  return WorkerExit.putBack;
}
