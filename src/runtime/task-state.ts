import { Env } from '../../contract/names.js';
import { redriveOrFail, type RedriveDeps, type RedriveOutcome } from './redrive.js';

/** The part of an `ECS Task State Change` event's detail that we read. */
export interface TaskStateDetail {
  taskArn: string;
  lastStatus: string;
  stoppedReason?: string;
  stopCode?: string;
  containers?: { name: string; exitCode?: number; reason?: string }[];
  overrides?: { containerOverrides?: { name: string; environment?: { name: string; value?: string }[] }[] };
}

export type TaskStateOutcome =
  'not-a-job' | 'not-stopped' | 'succeeded' | 'already-final' | 'stale-task' | RedriveOutcome;

export function jobIdOfTask(detail: TaskStateDetail): string | undefined {
  for (const override of detail.overrides?.containerOverrides ?? []) {
    const value = override.environment?.find((e) => e.name === Env.JOB_ID)?.value;
    if (value) return value;
  }
  return undefined;
}

/**
 * Records how a worker task ended. A worker that exits 0 has written its result, and one that
 * exits 1 has failed its job on bad input itself. One that exits 3 was told to stop (SIGTERM) or
 * its input stalled, and put its job back unfinished: the job is run again now, not after a lease.
 * One that crashed, was killed or never started has not finished its job either: the job is run
 * again if the cause may pass, or failed with the exit code and ECS's stop reason if it will not
 * (out of memory, stopped by a person). A person's StopTask ends the job even though the worker
 * put it back: whoever stops a task means to stop its job; re-uploading the object runs it again.
 */
export async function recordTaskStopped(
  detail: TaskStateDetail,
  containerName: string,
  deps: RedriveDeps,
): Promise<TaskStateOutcome> {
  if (detail.lastStatus !== 'STOPPED') return 'not-stopped';
  const jobId = jobIdOfTask(detail);
  if (!jobId) return 'not-a-job';
  const container = detail.containers?.find((c) => c.name === containerName);
  const exitCode = container?.exitCode;
  if (exitCode === 0) return 'succeeded';

  const job = await deps.jobs.get(jobId);
  if (!job || job.status === 'SUCCEEDED' || job.status === 'FAILED') return 'already-final';
  // A task that is not the job's (an earlier attempt's, the job re-driven since and waiting in the
  // launch queue or on its new task) says nothing about the job now.
  if (job.taskArn !== detail.taskArn) return 'stale-task';
  const outOfMemory = /OutOfMemory/i.test(`${container?.reason ?? ''} ${detail.stoppedReason ?? ''}`);
  const stoppedByPerson = detail.stopCode === 'UserInitiated';
  const reason = [
    exitCode === undefined ? 'worker stopped without an exit code' : `worker exited with code ${exitCode}`,
    container?.reason,
    detail.stoppedReason,
  ]
    .filter(Boolean)
    .join(': ');
  return redriveOrFail(
    job,
    {
      reason,
      code: outOfMemory ? 'WORKER_OUT_OF_MEMORY' : 'WORKER_STOPPED',
      transient: !outOfMemory && !stoppedByPerson,
      exitCode,
      stoppedReason: detail.stoppedReason,
    },
    deps,
  );
}
