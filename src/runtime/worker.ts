import { Env } from '../../lib/contract.js';
import { epochSeconds, type Job } from './job.js';
import { HEARTBEAT_SECONDS, RUNNING_LEASE_SECONDS } from './leases.js';
import { executeJob, type ExecuteDeps } from './pipeline.js';
import { required } from './settings.js';

/** Exit codes of the worker process; the task-state handler records anything but 0. */
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
  try {
    const done = await executeJob({ ...job, ...running }, 'ecs', deps);
    return done.status === 'SUCCEEDED' ? WorkerExit.succeeded : WorkerExit.inputFailed;
  } finally {
    clearInterval(heartbeat);
  }
}
