import { RunTaskCommand, type ECSClient, type Failure } from '@aws-sdk/client-ecs';
import { Env } from '../../../contract/names.js';
import type { Job } from '../job.js';

export interface WorkerTaskSettings {
  clusterArn: string;
  taskDefinitionArn: string;
  containerName: string;
  subnets: string[];
  securityGroups: string[];
}

export interface RunTaskRetry {
  /**
   * Immediate repeats of a RunTask whose answer was lost in transit (connection reset, timeout).
   * Safe because the repeat carries the same `clientToken`: ECS answers with the task it started.
   * @default 2
   */
  lostAnswerRetries?: number;
}

/** The job fields a worker task is started for. `attempts` (default 1) is part of the launch's identity. */
export type LaunchJob = Pick<Job, 'jobId' | 'bucket' | 'key' | 'versionId'> & Partial<Pick<Job, 'attempts'>>;

/**
 * Why RunTask did not start a task, and so what to do next:
 * - `throttled`: the API's rate limit (ThrottlingException, or "Rate exceeded" wrapped in another
 *   error): try again in seconds;
 * - `capacity`: a running-task or vCPU quota, or no Fargate capacity right now: try again once
 *   tasks have finished, tens of seconds to minutes later;
 * - `unavailable`: a server error, or no answer at all: try again soon with the same clientToken;
 * - `permanent`: the request itself is wrong (bad parameters, missing cluster, access denied):
 *   trying again changes nothing.
 */
export type RunTaskRefusalKind = 'throttled' | 'capacity' | 'unavailable' | 'permanent';

export interface RunTaskRefusal {
  kind: RunTaskRefusalKind;
  /** What ECS said, e.g. `ThrottlingException: Rate exceeded` or a failure's reason and detail. */
  reason: string;
}

/** One RunTask call did not start a task; `refusal` says why and whether another try may help. */
export class TaskLaunchRefused extends Error {
  override readonly name = 'TaskLaunchRefused';
  constructor(
    readonly refusal: RunTaskRefusal,
    options?: ErrorOptions,
  ) {
    super(`RunTask refused (${refusal.kind}): ${refusal.reason}`, options);
  }
  get transient(): boolean {
    return this.refusal.kind !== 'permanent';
  }
}

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
/**
 * ECS has been seen wrapping its own throttling, or EC2's behind an awsvpc task's security group
 * lookup, in a client error: `InvalidParameterException: Rate exceeded`,
 * `… Request limit exceeded. (ErrorCode: RequestLimitExceeded)`.
 */
const WRAPPED_THROTTLING = /rate exceeded|request limit exceeded|RequestLimitExceeded/i;
const SERVER_ERRORS = new Set(['ServerException', 'ServiceUnavailableException', 'InternalFailure']);
/** Errors with no HTTP answer: the request may or may not have been carried out. */
const LOST_ANSWER_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNABORTED']);
const LOST_ANSWER_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'AbortError']);
/**
 * RunTask `failures[].reason` values that a later try can get past (ECS developer guide, "API
 * failure reasons", and the Fargate capacity article): the concurrent task and vCPU quotas,
 * Fargate capacity, and placement on EC2 capacity (`RESOURCE:CPU`, `RESOURCE:MEMORY`,
 * `RESOURCE:ENI`, … and a disconnected `AGENT`).
 */
const CAPACITY_FAILURES = [
  /reached the limit on the number of tasks you can run concurrently/i,
  /reached the limit on the number of vCPUs you can run concurrently/i,
  /capacity is unavailable at this time/i,
  /\bRESOURCE:/,
  /\bAGENT\b/,
];

/** Whether an error from `ECSClient.send` came with no HTTP answer (reset, timeout). */
function isLostAnswer(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.$metadata?.httpStatusCode) return false;
  return LOST_ANSWER_CODES.has(e?.code ?? '') || LOST_ANSWER_NAMES.has(e?.name ?? '');
}

/**
 * Classifies why RunTask started no task: either the error `ECSClient.send` threw, or an entry
 * of the answer's `failures[]`.
 */
export function classifyRunTaskRefusal(refusal: Error | Failure): RunTaskRefusal {
  if (!(refusal instanceof Error)) {
    const reason = [refusal.reason ?? 'no task and no reason given', refusal.detail]
      .filter(Boolean)
      .join(' ');
    const capacity = CAPACITY_FAILURES.some((pattern) => pattern.test(refusal.reason ?? ''));
    return { kind: capacity ? 'capacity' : 'permanent', reason };
  }
  const e = refusal as Error & {
    code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e.name === 'Error' && e.code ? e.code : e.name;
  const reason = `${name}: ${e.message}`;
  if (THROTTLING_ERRORS.has(e.name) || e.$metadata?.httpStatusCode === 429)
    return { kind: 'throttled', reason };
  if (WRAPPED_THROTTLING.test(e.message)) return { kind: 'throttled', reason };
  if (SERVER_ERRORS.has(e.name) || e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) {
    return { kind: 'unavailable', reason };
  }
  if (isLostAnswer(e)) return { kind: 'unavailable', reason };
  return { kind: 'permanent', reason };
}

/**
 * The RunTask `clientToken` of a job's attempt: a repeat of the same launch (an answer lost, a
 * queue message delivered twice) gets the task ECS already started for it, not a second one. ECS
 * honours a token per cluster for up to 24 hours; it allows up to 64 ASCII characters 33–126.
 */
export function launchClientToken(jobId: string, attempt: number): string {
  const token = `${jobId}-${attempt}`;
  if (token.length > 64 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new Error(`clientToken "${token}" is not 1–64 ASCII characters 33–126`);
  }
  return token;
}

/** Starts worker tasks on Fargate: private subnets, no public IP, the job passed as overrides. */
export class WorkerTasks {
  constructor(
    private readonly ecs: ECSClient,
    private readonly settings: WorkerTaskSettings,
    private readonly retry: RunTaskRetry = {},
  ) {}

  /**
   * One RunTask for the job's `attempt`, with the clientToken of that attempt: resolves with the
   * task, or throws `TaskLaunchRefused` with the refusal classified. Only an answer lost in
   * transit is repeated here (same token, so never a second task); every other refusal is the
   * caller's to retry or give up on.
   */
  async launch(job: LaunchJob, attempt: number): Promise<{ taskArn: string }> {
    const clientToken = launchClientToken(job.jobId, attempt);
    const repeats = this.retry.lostAnswerRetries ?? 2;
    for (let tries = 0; ; tries++) {
      let out;
      try {
        out = await this.ecs.send(this.runTask(job, clientToken));
      } catch (error) {
        if (isLostAnswer(error) && tries < repeats) continue;
        const e = error instanceof Error ? error : new Error(String(error));
        throw new TaskLaunchRefused(classifyRunTaskRefusal(e), { cause: error });
      }
      const failure = out.failures?.[0];
      const taskArn = out.tasks?.[0]?.taskArn;
      if (taskArn && !failure) return { taskArn };
      throw new TaskLaunchRefused(
        failure
          ? classifyRunTaskRefusal(failure)
          : { kind: 'unavailable', reason: 'no task and no failure given' },
      );
    }
  }

  private runTask(job: LaunchJob, clientToken: string): RunTaskCommand {
    const s = this.settings;
    return new RunTaskCommand({
      cluster: s.clusterArn,
      taskDefinition: s.taskDefinitionArn,
      launchType: 'FARGATE',
      count: 1,
      clientToken,
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
    });
  }
}
