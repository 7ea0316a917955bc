/**
 * The lines `npm run local` prints for what the runner does: each names the object, the job and
 * the outcome, and what did nothing (a sweep that found nothing, a task that ended well) is quiet.
 */
import type { S3Event } from 'aws-lambda';
import type { DispatchOutcome } from '../src/runtime/dispatch.js';
import { objectRefFromRecord } from '../src/runtime/events.js';
import { jobIdFor } from '../src/runtime/job.js';
import type { RedriveOutcome } from '../src/runtime/redrive.js';
import { jobIdOfTask, type TaskStateDetail, type TaskStateOutcome } from '../src/runtime/task-state.js';
import { WorkerExit } from '../src/runtime/worker.js';
import type { InvocationReport } from './lambda-pool.js';
import type { TaskReport, TaskStart } from './fargate-tasks.js';

/** Job ids are 32 hex digits; 8 tell the jobs of a session apart. */
function shortJobId(jobId: string | undefined): string {
  return jobId ? jobId.slice(0, 8) : '?';
}

/** The lines for one invocation of a function: none, one, or one per object of its event. */
export function invocationLines(report: InvocationReport): string[] {
  const took = `(${report.durationMs} ms)`;
  const failed = `attempt ${report.attempt} failed: ${report.error}`;
  switch (report.functionName) {
    case 'dispatcher': {
      const records = (report.event as Partial<S3Event>).Records ?? [];
      const outcomes = (report.ok ? report.result : undefined) as DispatchOutcome[] | undefined;
      return records.map((record, i) => {
        const ref = objectRefFromRecord(record);
        const outcome = outcomes?.[i];
        const jobId =
          outcome && 'job' in outcome
            ? outcome.job.jobId
            : jobIdFor(ref.bucket, ref.key, ref.versionId ?? null);
        return `dispatcher s3://${ref.bucket}/${ref.key} job ${shortJobId(jobId)} ${outcome ? dispatchOutcome(outcome) : failed} ${took}`;
      });
    }
    case 'sweeper': {
      if (!report.ok) return [`sweeper ${failed} ${took}`];
      const counts = report.result as Record<RedriveOutcome, number> | undefined;
      if (!counts?.redriven && !counts?.failed) return [];
      return [`sweeper: abandoned jobs re-driven ${counts.redriven}, failed ${counts.failed} ${took}`];
    }
    case 'task-state': {
      const detail = (report.event as { detail?: TaskStateDetail }).detail;
      const job = `job ${shortJobId(detail && jobIdOfTask(detail))}`;
      if (!report.ok) return [`task-state ${job} ${failed} ${took}`];
      const outcome = report.result as TaskStateOutcome;
      // The worker's own line says how it ended; this one only when the job had to be dealt with.
      if (outcome !== 'redriven' && outcome !== 'failed') return [];
      return [
        `task-state ${job}: worker lost, job ${outcome === 'redriven' ? 're-driven on ECS' : 'FAILED'} ${took}`,
      ];
    }
    default:
      return [`${report.functionName} ${report.ok ? 'ok' : failed} ${took}`];
  }
}

function dispatchOutcome(outcome: DispatchOutcome): string {
  switch (outcome.outcome) {
    case 'ignored':
      return `ignored: ${outcome.reason}`;
    case 'duplicate':
      return `repeated event, job already ${outcome.job.status}`;
    case 'dispatched':
      return `→ ecs: QUEUED, worker task started${outcome.handedOff ? ' (Lambda time ran short)' : ''}`;
    default: {
      const { route, status, error } = outcome.job;
      return `→ ${route ?? 'not routed'}: ${status}${error ? `: ${error}` : ''}`;
    }
  }
}

const EXITS: Record<number, string> = {
  [WorkerExit.succeeded]: 'job done',
  [WorkerExit.inputFailed]: 'job FAILED',
  [WorkerExit.error]: 'worker error',
  [WorkerExit.putBack]: 'job put back',
  137: 'killed',
};

/** The line for a worker task that started (no exit code yet) or stopped. */
export function taskLine(task: TaskStart | TaskReport): string {
  const name = `worker task ${task.taskArn.split('/').pop()!.slice(0, 8)}`;
  const job = `job ${shortJobId(task.jobId)} s3://${task.bucket}/${task.key}`;
  if (!('exitCode' in task)) return `${name} started: ${job}`;
  const meaning = task.exitCode === null ? '' : EXITS[task.exitCode];
  return `${name} stopped: ${job}, exit code ${task.exitCode}${meaning ? ` (${meaning})` : ''} (${task.durationMs} ms)`;
}
