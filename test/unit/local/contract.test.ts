import { describe, expect, it } from 'vitest';
import {
  DISPATCHER_ENV,
  LAUNCHER_ENV,
  SWEEPER_ENV,
  TASK_STATE_ENV,
  WORKER_ENV,
} from '../../../contract/names.js';
import {
  dispatcherEnv,
  launcherEnv,
  sweeperEnv,
  taskStateEnv,
  workerTaskEnv,
  type LocalCloud,
} from '../../../local/resources.js';
import { buildRoutingPolicy } from '../../../contract/routing.js';

const cloud: LocalCloud = {
  endpoint: 'http://127.0.0.1:4566',
  region: 'us-east-1',
  bucket: 'b',
  table: 't',
  queueUrl: 'q',
  restoreRequestsQueueUrl: 'r',
  restoreSeconds: 2,
  onFailureQueueUrl: 'f',
  launchQueueUrl: 'l',
  launchQueueArn: 'arn:l',
  maxRunningTasks: 5,
  clusterArn: 'c',
  taskDefinitionArn: 'td',
  subnets: ['s1', 's2'],
  securityGroups: ['sg'],
  sharedDir: '/tmp/efs',
  policy: buildRoutingPolicy({ lambdaTimeoutSeconds: 12, lambdaMemoryMb: 128 }),
  lambdaTimeoutSeconds: 12,
  lambdaMemoryMb: 128,
  maxObjectBytes: 1,
  maxAttempts: 3,
  retryBaseMs: 1,
};

describe('the local cloud follows the shared contract', () => {
  it.each([
    ['dispatcher', dispatcherEnv(cloud), DISPATCHER_ENV],
    ['task-state', taskStateEnv(cloud), TASK_STATE_ENV],
    ['sweeper', sweeperEnv(cloud), SWEEPER_ENV],
    ['launcher', launcherEnv(cloud), LAUNCHER_ENV],
    ['worker task definition', workerTaskEnv('t', '/tmp/efs'), WORKER_ENV],
  ])('gives the %s every variable the contract names', (_name, env, names) => {
    for (const name of names) expect(env[name], name).toBeTruthy();
  });

  it('hands the dispatcher a routing policy it can parse', () => {
    expect(JSON.parse(dispatcherEnv(cloud).ROUTING_POLICY!)).toEqual(cloud.policy);
  });
});
