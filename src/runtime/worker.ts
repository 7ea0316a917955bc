import { Env } from '../../contract/names.js';
import { epochSeconds, type Job } from './job.js';
import { HEARTBEAT_SECONDS, RUNNING_LEASE_SECONDS } from './leases.js';
import { executeJob, type ExecuteDeps } from './execute.js';
import { required } from './settings.js';

/** Exit codes of the worker process: 1 means the job was failed for good (bad input, time limit). */
export const WorkerExit = { succeeded: 0, inputFailed: 1, error: 2 } as const;

/**
 * The worker task's job: find the job the overrides name, run the core on the object version and
 * publish the result. A job that is already SUCCEEDED (a repeated task) is left as it is.
 */
export async function runWorker(
  env: NodeJS.ProcessEnv,
  deps: ExecuteDeps,
  taskArn?: string,
): Promise<number> {
  const now = deps.now ?? (() => new Date());
  const jobId = required(env, Env.JOB_ID);
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
    taskArn: taskArn ?? job.taskArn,
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
  const timeoutSeconds = Number(required(env, Env.JOB_TIMEOUT_SECONDS));
  if (!(timeoutSeconds > 0))
    throw new Error(`${Env.JOB_TIMEOUT_SECONDS} must be a positive number of seconds`);
  const deadline = AbortSignal.timeout(timeoutSeconds * 1000);
  try {
    const done = await executeJob({ ...job, ...running }, 'ecs', deps, deadline);
    return done.status === 'SUCCEEDED' ? WorkerExit.succeeded : WorkerExit.inputFailed;
  } catch (error) {
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
