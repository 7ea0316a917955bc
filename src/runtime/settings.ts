import { availableParallelism } from 'node:os';
import { Env, type EnvName } from '../../contract/names.js';
import { LAMBDA_MB_PER_VCPU, parseRoutingPolicy, type RoutingPolicy } from '../../contract/routing.js';
import type { WorkerTaskSettings } from './aws/tasks.js';

/** Reads the runtime's environment (names from the shared contract) with errors that say what is missing. */
export function required(env: NodeJS.ProcessEnv, name: EnvName): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

function number(env: NodeJS.ProcessEnv, name: EnvName, { min }: { min: number }): number {
  const value = Number(required(env, name));
  if (!Number.isFinite(value) || value < min)
    throw new Error(`environment variable ${name} must be a number ≥ ${min}`);
  return value;
}

export interface CommonSettings {
  jobsTable: string;
  sharedMountPath: string;
  jobTtlDays: number;
  s3ReadConcurrency: number;
  inputStallSeconds: number;
}

export interface RedriveSettings {
  jobsTable: string;
  launchQueueUrl: string;
  maxAttempts: number;
  retryBaseMs: number;
}

export interface LauncherSettings extends RedriveSettings {
  worker: WorkerTaskSettings;
  maxRunningTasks: number;
}

export interface DispatcherSettings extends CommonSettings, RedriveSettings {
  policy: RoutingPolicy;
  maxObjectBytes: number;
}

export function commonSettings(env: NodeJS.ProcessEnv): CommonSettings {
  return {
    jobsTable: required(env, Env.JOBS_TABLE),
    sharedMountPath: required(env, Env.SHARED_MOUNT_PATH),
    jobTtlDays: number(env, Env.JOB_TTL_DAYS, { min: 1 }),
    s3ReadConcurrency: number(env, Env.S3_READ_CONCURRENCY, { min: 1 }),
    inputStallSeconds: number(env, Env.INPUT_STALL_SECONDS, { min: 1 }),
  };
}

export function redriveSettings(env: NodeJS.ProcessEnv): RedriveSettings {
  return {
    jobsTable: required(env, Env.JOBS_TABLE),
    launchQueueUrl: required(env, Env.LAUNCH_QUEUE_URL),
    maxAttempts: number(env, Env.MAX_ATTEMPTS, { min: 1 }),
    retryBaseMs: number(env, Env.RETRY_BASE_MS, { min: 0 }),
  };
}

export function launcherSettings(env: NodeJS.ProcessEnv): LauncherSettings {
  const list = (name: EnvName) =>
    required(env, name)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    ...redriveSettings(env),
    maxRunningTasks: number(env, Env.MAX_RUNNING_TASKS, { min: 1 }),
    worker: {
      clusterArn: required(env, Env.CLUSTER_ARN),
      taskDefinitionArn: required(env, Env.TASK_DEFINITION_ARN),
      containerName: required(env, Env.WORKER_CONTAINER_NAME),
      subnets: list(Env.WORKER_SUBNETS),
      securityGroups: list(Env.WORKER_SECURITY_GROUPS),
    },
  };
}

export function dispatcherSettings(env: NodeJS.ProcessEnv): DispatcherSettings {
  let policy: RoutingPolicy;
  try {
    policy = parseRoutingPolicy(required(env, Env.ROUTING_POLICY));
  } catch (error) {
    throw new Error(`environment variable ${Env.ROUTING_POLICY}: ${(error as Error).message}`);
  }
  return {
    ...commonSettings(env),
    ...redriveSettings(env),
    policy,
    maxObjectBytes: number(env, Env.MAX_OBJECT_BYTES, { min: 1 }),
  };
}

export interface ReconcilerSettings {
  jobsTable: string;
  bucket: string;
  dispatcherFunction: string;
  graceSeconds: number;
  lookbackSeconds: number;
  maxPerRun: number;
}

export function reconcilerSettings(env: NodeJS.ProcessEnv): ReconcilerSettings {
  return {
    jobsTable: required(env, Env.JOBS_TABLE),
    bucket: required(env, Env.DATA_BUCKET),
    dispatcherFunction: required(env, Env.DISPATCHER_FUNCTION),
    graceSeconds: number(env, Env.RECONCILE_GRACE_SECONDS, { min: 0 }),
    lookbackSeconds: number(env, Env.RECONCILE_LOOKBACK_SECONDS, { min: 1 }),
    maxPerRun: number(env, Env.RECONCILE_MAX_PER_RUN, { min: 1 }),
  };
}

/**
 * Whether a second thread (inflating gzip, reading S3) gets a CPU of its own. Lambda gives a
 * second full vCPU only from twice `LAMBDA_MB_PER_VCPU` (3,538 MB), and a Fargate task of one vCPU runs on a machine with
 * more; below that a second thread competes with the parser for one vCPU's share, whatever the
 * machine reports. Elsewhere (the CLI, a laptop) the machine's count is the truth.
 */
export function hasSecondCpu(env: NodeJS.ProcessEnv): boolean {
  const lambdaMemoryMb = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  if (lambdaMemoryMb !== undefined) return Number(lambdaMemoryMb) >= 2 * LAMBDA_MB_PER_VCPU;
  const taskVcpus = env[Env.TASK_VCPUS];
  if (taskVcpus !== undefined) return Number(taskVcpus) >= 2;
  return availableParallelism() > 1;
}
