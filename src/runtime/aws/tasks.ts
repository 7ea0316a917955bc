import { RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { Env } from '../../../contract/names.js';
import type { Job } from '../job.js';
import { backoffMs } from '../leases.js';

export interface WorkerTaskSettings {
  clusterArn: string;
  taskDefinitionArn: string;
  containerName: string;
  subnets: string[];
  securityGroups: string[];
}

export interface RunTaskRetry {
  /** Tries in all before giving up. @default 5 */
  attempts?: number;
  /** First backoff delay in ms. @default 1000 */
  baseMs?: number;
  /** Called before each retry with the reason (for logs). */
  onRetry?: (attempt: number, reason: string, delayMs: number) => void;
}

/** RunTask could not place the task even after retries (throttling, no Fargate capacity). */
export class TaskPlacementError extends Error {
  override readonly name = 'TaskPlacementError';
}

/** Reasons worth another try: ECS throttles, or Fargate has no capacity right now. */
const TRANSIENT_ERRORS = new Set(['ThrottlingException', 'ServerException', 'ServiceUnavailableException']);
const TRANSIENT_FAILURE = /capacity|throttl|RESOURCE:|AGENT|timeout/i;

/** Starts worker tasks on Fargate: private subnets, no public IP, the job passed as overrides. */
export class WorkerTasks {
  constructor(
    private readonly ecs: ECSClient,
    private readonly settings: WorkerTaskSettings,
    private readonly retry: RunTaskRetry = {},
  ) {}

  async start(job: Pick<Job, 'jobId' | 'bucket' | 'key' | 'versionId'>): Promise<string> {
    const attempts = this.retry.attempts ?? 5;
    let reason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.runOnce(job);
      } catch (error) {
        const e = error as Error & { $retryable?: unknown };
        const transient =
          error instanceof TaskPlacementError || TRANSIENT_ERRORS.has(e.name) || Boolean(e.$retryable);
        if (!transient) throw error;
        reason = `${e.name}: ${e.message}`;
      }
      if (attempt < attempts) {
        const delay = backoffMs(attempt, this.retry.baseMs ?? 1000);
        this.retry.onRetry?.(attempt, reason, delay);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    throw new TaskPlacementError(`RunTask failed ${attempts} times; last: ${reason}`);
  }

  private async runOnce(job: Pick<Job, 'jobId' | 'bucket' | 'key' | 'versionId'>): Promise<string> {
    const s = this.settings;
    const out = await this.ecs.send(
      new RunTaskCommand({
        cluster: s.clusterArn,
        taskDefinition: s.taskDefinitionArn,
        launchType: 'FARGATE',
        count: 1,
        startedBy: `job/${job.jobId}`.slice(0, 36),
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: s.subnets,
            securityGroups: s.securityGroups,
            assignPublicIp: 'DISABLED',
          },
        },
        overrides: {
          containerOverrides: [
            {
              name: s.containerName,
              environment: [
                { name: Env.JOB_ID, value: job.jobId },
                { name: Env.JOB_BUCKET, value: job.bucket },
                { name: Env.JOB_KEY, value: job.key },
                { name: Env.JOB_VERSION_ID, value: job.versionId ?? '' },
              ],
            },
          ],
        },
      }),
    );
    const failure = out.failures?.[0];
    const taskArn = out.tasks?.[0]?.taskArn;
    if (taskArn && !failure) return taskArn;
    const detail = `${failure?.reason ?? 'no task and no reason given'} ${failure?.detail ?? ''}`.trim();
    if (failure?.reason && !TRANSIENT_FAILURE.test(failure.reason))
      throw new Error(`RunTask refused: ${detail}`);
    throw new TaskPlacementError(`RunTask placed no task: ${detail}`);
  }
}
