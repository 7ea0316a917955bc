import { Env } from '../../lib/contract.js';
import type { JobsTable } from './aws/jobs-table.js';

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
  'not-a-job' | 'not-stopped' | 'succeeded' | 'recorded-failure' | 'already-final';

export function jobIdOfTask(detail: TaskStateDetail): string | undefined {
  for (const override of detail.overrides?.containerOverrides ?? []) {
    const value = override.environment?.find((e) => e.name === Env.JOB_ID)?.value;
    if (value) return value;
  }
  return undefined;
}

/**
 * Records how a worker task ended. A worker that exits 0 has already written its result; one that
 * crashed, ran out of memory or was stopped has not, so the job is failed with the exit code and
 * ECS's stop reason. A job that already reached an outcome keeps it (the worker's own message on
 * bad input is more precise than an exit code).
 */
export async function recordTaskStopped(
  detail: TaskStateDetail,
  jobs: JobsTable,
  containerName: string,
  now: Date,
): Promise<TaskStateOutcome> {
  if (detail.lastStatus !== 'STOPPED') return 'not-stopped';
  const jobId = jobIdOfTask(detail);
  if (!jobId) return 'not-a-job';
  const container = detail.containers?.find((c) => c.name === containerName);
  const exitCode = container?.exitCode;
  if (exitCode === 0) return 'succeeded';

  const job = await jobs.get(jobId);
  if (!job || job.status === 'SUCCEEDED' || job.status === 'FAILED') return 'already-final';
  const reason = [
    exitCode === undefined ? 'worker stopped without an exit code' : `worker exited with code ${exitCode}`,
    container?.reason,
    detail.stoppedReason,
  ]
    .filter(Boolean)
    .join(': ');
  const recorded = await jobs.transition(
    jobId,
    'FAILED',
    {
      error: reason,
      errorCode: 'WORKER_STOPPED',
      exitCode,
      stoppedReason: detail.stoppedReason,
      taskArn: detail.taskArn,
      finishedAt: now.toISOString(),
    },
    now,
  );
  return recorded ? 'recorded-failure' : 'already-final';
}
