import { Env, type EnvName } from '../../lib/contract.js';
import type { RoutingPolicy } from './routing.js';
import type { WorkerTaskSettings } from './aws/tasks.js';

/** Reads the runtime's environment (names from the shared contract) with errors that say what is missing. */
export function required(env: NodeJS.ProcessEnv, name: EnvName): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: EnvName): number {
  const value = Number(required(env, name));
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`environment variable ${name} must be a positive number`);
  return value;
}

export interface CommonSettings {
  jobsTable: string;
  sharedMountPath: string;
  jobTtlDays: number;
}

export interface DispatcherSettings extends CommonSettings {
  policy: RoutingPolicy;
  maxObjectBytes: number;
  worker: WorkerTaskSettings;
}

export function commonSettings(env: NodeJS.ProcessEnv): CommonSettings {
  return {
    jobsTable: required(env, Env.JOBS_TABLE),
    sharedMountPath: required(env, Env.SHARED_MOUNT_PATH),
    jobTtlDays: positiveNumber(env, Env.JOB_TTL_DAYS),
  };
}

export function dispatcherSettings(env: NodeJS.ProcessEnv): DispatcherSettings {
  const list = (name: EnvName) =>
    required(env, name)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  let policy: RoutingPolicy;
  try {
    policy = JSON.parse(required(env, Env.ROUTING_POLICY)) as RoutingPolicy;
  } catch (error) {
    throw new Error(`environment variable ${Env.ROUTING_POLICY} is not valid JSON: ${String(error)}`);
  }
  return {
    ...commonSettings(env),
    policy,
    maxObjectBytes: positiveNumber(env, Env.MAX_OBJECT_BYTES),
    worker: {
      clusterArn: required(env, Env.CLUSTER_ARN),
      taskDefinitionArn: required(env, Env.TASK_DEFINITION_ARN),
      containerName: required(env, Env.WORKER_CONTAINER_NAME),
      subnets: list(Env.WORKER_SUBNETS),
      securityGroups: list(Env.WORKER_SECURITY_GROUPS),
    },
  };
}
