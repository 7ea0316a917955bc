/**
 * The local cloud's ECS (local/ecs-proxy.ts) in front of the emulator: AWS's RunTask limits,
 * clientToken idempotency and the RunTask faults, as WorkerTasks meets them.
 */
import { ECSClient, ListTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_CONTAINER_NAME } from '../../contract/names.js';
import { NO_CHAOS, type Chaos } from '../../local/chaos.js';
import {
  CONCURRENT_TASKS_REASON,
  startEcsProxy,
  type EcsProxy,
  type EcsProxyOptions,
} from '../../local/ecs-proxy.js';
import { localClientConfig } from '../../local/resources.js';
import { TaskLaunchRefused, WorkerTasks } from '../../src/runtime/aws/tasks.js';
import { startTestCloud, type TestCloud } from '../support/local-cloud.js';

let test: TestCloud;
let moto: ECSClient;
const opened: { proxy: EcsProxy; ecs: ECSClient }[] = [];

beforeAll(async () => {
  test = await startTestCloud();
  moto = new ECSClient(localClientConfig(test.cloud.endpoint, test.cloud.region));
});
afterAll(async () => {
  moto?.destroy();
  await test?.stop();
});
afterEach(async () => {
  for (const { proxy, ecs } of opened.splice(0)) {
    ecs.destroy();
    await proxy.stop();
  }
  // Each test starts with no task running.
  for (const task of await runningTasks()) {
    await moto.send(new StopTaskCommand({ cluster: test.cloud.clusterArn, task, reason: 'test over' }));
  }
});

/** WorkerTasks as the dispatcher builds it (one SDK attempt), talking to a fresh local ECS. */
async function localEcs(
  options: Omit<EcsProxyOptions, 'region' | 'chaos'> & { chaos?: Partial<Chaos> } = {},
) {
  const proxy = await startEcsProxy(test.cloud.endpoint, {
    ...options,
    region: test.cloud.region,
    chaos: { ...NO_CHAOS, ...options.chaos },
  });
  const ecs = new ECSClient({ ...localClientConfig(proxy.endpoint, test.cloud.region), maxAttempts: 1 });
  opened.push({ proxy, ecs });
  const { cloud } = test;
  const tasks = new WorkerTasks(ecs, {
    clusterArn: cloud.clusterArn,
    taskDefinitionArn: cloud.taskDefinitionArn,
    containerName: WORKER_CONTAINER_NAME,
    subnets: cloud.subnets,
    securityGroups: cloud.securityGroups,
  });
  return { proxy, ecs, tasks };
}

async function runningTasks(): Promise<string[]> {
  const out = await moto.send(
    new ListTasksCommand({ cluster: test.cloud.clusterArn, desiredStatus: 'RUNNING' }),
  );
  return out.taskArns ?? [];
}

let jobs = 0;
function job() {
  jobs++;
  return {
    jobId: `job${String(jobs).padStart(29, '0')}`,
    bucket: 'b',
    key: `incoming/${jobs}.fq`,
    versionId: null,
  };
}

async function refusal(launch: Promise<unknown>): Promise<TaskLaunchRefused> {
  const error = await launch.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TaskLaunchRefused);
  return error as TaskLaunchRefused;
}

describe('the local ECS', () => {
  it('answers a repeated clientToken with the task it started, and starts no second one', async () => {
    const { proxy, tasks } = await localEcs();
    const j = job();
    const first = await tasks.launch(j, 1);
    expect(await tasks.launch(j, 1)).toEqual(first);
    expect(await runningTasks()).toEqual([first.taskArn]);
    expect(proxy.stats.tokensRepeated).toBe(1);
    // The next attempt of the same job is another launch.
    const second = await tasks.launch(j, 2);
    expect(second.taskArn).not.toBe(first.taskArn);
  });

  it('loses the answer of a started task; the repeat with the same clientToken gets that task', async () => {
    const { proxy, tasks } = await localEcs({ chaos: { loseAnswer: (call) => call === 1 } });
    const { taskArn } = await tasks.launch(job(), 1);
    expect(proxy.stats).toMatchObject({ runTaskCalls: 2, answersLost: 1, tokensRepeated: 1 });
    expect(await runningTasks()).toEqual([taskArn]);
  });

  it('answers ThrottlingException past the burst of 100, until the bucket refills', async () => {
    let now = 0;
    const { proxy, tasks } = await localEcs({ now: () => now });
    const launches = await Promise.allSettled(Array.from({ length: 101 }, () => tasks.launch(job(), 1)));
    expect(launches.filter((l) => l.status === 'fulfilled')).toHaveLength(100);
    const refused = launches.find((l) => l.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({
      refusal: { kind: 'throttled', reason: 'ThrottlingException: Rate exceeded' },
    });
    expect(proxy.stats.throttled).toBe(1);
    now += 50; // one token at 20 per second
    await expect(tasks.launch(job(), 1)).resolves.toHaveProperty('taskArn');
    expect((await refusal(tasks.launch(job(), 1))).refusal.kind).toBe('throttled');
  });

  it("answers the concurrent-task quota's failure at the cap, and starts again once a task stops", async () => {
    const { proxy, tasks } = await localEcs({ limits: { maxRunningTasks: 2 } });
    const [a] = [await tasks.launch(job(), 1), await tasks.launch(job(), 1)];
    const refused = await refusal(tasks.launch(job(), 1));
    expect(refused.refusal).toEqual({ kind: 'capacity', reason: CONCURRENT_TASKS_REASON });
    expect(proxy.stats.overCapacity).toBe(1);
    expect(await runningTasks()).toHaveLength(2);
    await moto.send(new StopTaskCommand({ cluster: test.cloud.clusterArn, task: a!.taskArn }));
    await expect(tasks.launch(job(), 1)).resolves.toHaveProperty('taskArn');
  });

  it('answers the "Rate exceeded" variant, which WorkerTasks classifies as throttling', async () => {
    const { proxy, tasks } = await localEcs({ chaos: { rateExceeded: (call) => call === 1 } });
    const refused = await refusal(tasks.launch(job(), 1));
    expect(refused.refusal).toEqual({
      kind: 'throttled',
      reason: 'InvalidParameterException: Rate exceeded',
    });
    expect(proxy.stats.rateExceeded).toBe(1);
    expect(await runningTasks()).toEqual([]);
  });

  it('refuses a clientToken used before with other parameters (ConflictException)', async () => {
    const { proxy, ecs, tasks } = await localEcs();
    const j = job();
    await tasks.launch(j, 1);
    const refused = await ecs
      .send(
        new RunTaskCommand({
          cluster: test.cloud.clusterArn,
          taskDefinition: test.cloud.taskDefinitionArn,
          launchType: 'FARGATE',
          clientToken: `${j.jobId}-1`,
          startedBy: 'someone else',
        }),
      )
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'ConflictException' });
    expect(proxy.stats.conflicts).toBe(1);
    expect(await runningTasks()).toHaveLength(1);
  });
});
