import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  type KeyValuePair,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { WORKER_CONTAINER_NAME } from '../lib/contract.js';
import { JobsTable } from '../src/runtime/aws/jobs-table.js';
import type { LocalBundles } from './bundle.js';
import { NO_CHAOS, type Chaos } from './chaos.js';
import { dispatcherEnv, localAwsEnv, sweeperEnv, taskStateEnv, type LocalCloud } from './resources.js';

export interface LocalRunnerOptions {
  /** Folder for the functions' and workers' own logs. */
  logDir: string;
  /** @default 128 */
  lambdaMemoryMb?: number;
  /** How many dispatcher invocations may run at once. @default 4 */
  lambdaConcurrency?: number;
  /** Lambda retries a failed asynchronous invocation this many times. @default 2 */
  asyncRetries?: number;
  /** Delay before each retry, shorter than Lambda's minutes so a local run stays quick. @default 500 */
  retryDelayMs?: number;
  /** How often the sweeper runs, as the stack's schedule does every few minutes. @default 5000 */
  sweepIntervalMs?: number;
  /** Faults to inject (see chaos.ts). @default none */
  chaos?: Chaos;
  /** Endpoint the functions and workers use, e.g. the chaos proxy. @default the emulator */
  functionEndpoint?: string;
}

/** What the runner did, for the demo, the load test and the chaos tests. */
export interface RunnerStats {
  dispatcherInvocations: number;
  duplicatesDelivered: number;
  invocationRetries: number;
  tasksStarted: number;
  workersCrashed: number;
}

export interface InvocationReport {
  functionName: string;
  ok: boolean;
  durationMs: number;
  attempt: number;
  error?: string;
}

export interface TaskReport {
  taskArn: string;
  jobId?: string;
  exitCode: number | null;
  durationMs: number;
}

/** Events: `invocation` (InvocationReport), `task-started` ({taskArn, jobId}), `task-stopped` (TaskReport). */
export class LocalRunner extends EventEmitter {
  private readonly sqs: SQSClient;
  private readonly ecs: ECSClient;
  private readonly ddb: DynamoDBClient;
  private readonly jobs: JobsTable;
  private readonly awsEnv: Record<string, string>;
  private readonly seenTasks = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly taskDefinitionEnv = new Map<string, KeyValuePair[]>();
  private running = false;
  private loops: Promise<void>[] = [];
  private activeInvocations = 0;
  private readonly idleHosts = new Map<string, ChildProcess[]>();
  private readonly logs = new Map<string, number>();
  private readonly tasksPerJob = new Map<string, number>();
  private readonly chaos: Chaos;
  readonly stats: RunnerStats = {
    dispatcherInvocations: 0,
    duplicatesDelivered: 0,
    invocationRetries: 0,
    tasksStarted: 0,
    workersCrashed: 0,
  };

  constructor(
    private readonly cloud: LocalCloud,
    private readonly bundles: LocalBundles,
    private readonly options: LocalRunnerOptions,
  ) {
    super();
    this.awsEnv = localAwsEnv(options.functionEndpoint ?? cloud.endpoint, cloud.region);
    this.chaos = options.chaos ?? NO_CHAOS;
    const config = {
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    this.sqs = new SQSClient(config);
    this.ecs = new ECSClient(config);
    this.ddb = new DynamoDBClient(config);
    this.jobs = new JobsTable(DynamoDBDocumentClient.from(this.ddb), cloud.table);
    mkdirSync(options.logDir, { recursive: true });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = [this.consumeObjectEvents(), this.watchTasks(), this.sweepOnSchedule()];
  }

  /** Stops polling and waits for every invocation and task under way to finish. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    for (const host of [...this.idleHosts.values()].flat()) host.kill('SIGKILL');
    this.idleHosts.clear();
    for (const fd of this.logs.values()) closeSync(fd);
    this.logs.clear();
    this.sqs.destroy();
    this.ecs.destroy();
    this.ddb.destroy();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  /** The bucket's notifications arrive in the emulator's queue; each becomes an async invocation. */
  private async consumeObjectEvents(): Promise<void> {
    const limit = this.options.lambdaConcurrency ?? 4;
    while (this.running) {
      if (this.activeInvocations >= limit) {
        await sleep(50);
        continue;
      }
      const out = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.cloud.queueUrl,
          MaxNumberOfMessages: Math.min(10, limit - this.activeInvocations),
          WaitTimeSeconds: 1,
        }),
      );
      for (const message of out.Messages ?? []) {
        const event = JSON.parse(message.Body ?? '{}') as { Event?: string; Records?: unknown[] };
        // Lambda's async queue has accepted the event once it is handed over.
        await this.sqs.send(
          new DeleteMessageCommand({ QueueUrl: this.cloud.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        if (event.Event === 's3:TestEvent' || !event.Records) continue;
        const deliveries = this.chaos.duplicate() ? 2 : 1;
        this.stats.duplicatesDelivered += deliveries - 1;
        for (let i = 0; i < deliveries; i++) {
          this.stats.dispatcherInvocations++;
          void this.track(
            this.invokeAsync('dispatcher', this.bundles.dispatcher, dispatcherEnv(this.cloud), event),
          );
        }
      }
    }
  }

  /**
   * An asynchronous Lambda invocation: run, retry on error after a delay, and send what still
   * fails to the on-failure destination, as Lambda does.
   */
  async invokeAsync(
    functionName: string,
    bundle: string,
    env: Record<string, string>,
    event: unknown,
  ): Promise<void> {
    const retries = this.options.asyncRetries ?? 2;
    this.activeInvocations++;
    try {
      for (let attempt = 1; attempt <= retries + 1; attempt++) {
        const report = await this.invoke(functionName, bundle, env, event, attempt);
        this.emit('invocation', report);
        if (report.ok) return;
        if (attempt <= retries) {
          this.stats.invocationRetries++;
          await sleep((this.options.retryDelayMs ?? 500) * attempt);
          continue;
        }
        await this.sqs.send(
          new SendMessageCommand({
            QueueUrl: this.cloud.onFailureQueueUrl,
            MessageBody: JSON.stringify({
              version: '1.0',
              timestamp: new Date().toISOString(),
              requestContext: {
                functionArn: functionName,
                condition: 'RetriesExhausted',
                approximateInvokeCount: attempt,
              },
              requestPayload: event,
              responsePayload: { errorMessage: report.error },
            }),
          }),
        );
      }
    } finally {
      this.activeInvocations--;
    }
  }

  /**
   * One invocation in a warm execution environment of the function if one is idle, else in a new
   * one (a cold start); an environment that times out or crashes is killed and never reused.
   */
  invoke(
    functionName: string,
    bundle: string,
    env: Record<string, string>,
    event: unknown,
    attempt = 1,
  ): Promise<InvocationReport> {
    const timeoutMs = this.cloud.lambdaTimeoutSeconds * 1000;
    const memoryMb = this.options.lambdaMemoryMb ?? 128;
    const pool = this.idleHosts.get(functionName) ?? [];
    this.idleHosts.set(functionName, pool);
    const child =
      pool.pop() ??
      fork(this.bundles.lambdaHost, [bundle], {
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          AWS_ENDPOINT_URL: this.awsEnv.AWS_ENDPOINT_URL!,
          AWS_LAMBDA_FUNCTION_NAME: functionName,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
          NODE_NO_WARNINGS: '1',
        },
        stdio: ['ignore', this.logFile(functionName), this.logFile(functionName), 'ipc'],
        execArgv: [],
      });
    const started = Date.now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (ok: boolean, reusable: boolean, error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (reusable && this.running) pool.push(child);
        else if (child.exitCode === null) child.kill('SIGKILL');
        resolve({ functionName, ok, error, attempt, durationMs: Date.now() - started });
      };
      const onMessage = (reply: { ok: boolean; error?: { message: string } }) =>
        finish(reply.ok, true, reply.error?.message);
      const onExit = (code: number | null, signal: string | null) =>
        finish(false, false, `Runtime exited with ${signal ?? `code ${code}`}`);
      const timer = setTimeout(
        () => finish(false, false, `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`),
        timeoutMs,
      );
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ event, timeoutMs, functionName, memoryMb, requestId: randomUUID() });
    });
  }

  private logFile(name: string): number {
    let fd = this.logs.get(name);
    if (fd === undefined) {
      fd = openSync(path.join(this.options.logDir, `${name}.log`), 'a');
      this.logs.set(name, fd);
    }
    return fd;
  }

  private async sweepOnSchedule(): Promise<void> {
    const interval = this.options.sweepIntervalMs ?? 5000;
    let next = Date.now() + interval;
    while (this.running) {
      if (Date.now() >= next) {
        await this.track(
          this.invokeAsync('sweeper', this.bundles.sweeper, sweeperEnv(this.cloud), { source: 'aws.events' }),
        );
        next = Date.now() + interval;
      }
      await sleep(100);
    }
  }

  /** Tasks the emulator recorded from RunTask are started here as worker processes. */
  private async watchTasks(): Promise<void> {
    while (this.running) {
      const listed = await this.ecs.send(
        new ListTasksCommand({ cluster: this.cloud.clusterArn, desiredStatus: 'RUNNING' }),
      );
      const fresh = (listed.taskArns ?? []).filter((arn) => !this.seenTasks.has(arn));
      if (fresh.length) {
        const described = await this.ecs.send(
          new DescribeTasksCommand({ cluster: this.cloud.clusterArn, tasks: fresh }),
        );
        for (const task of described.tasks ?? []) {
          this.seenTasks.add(task.taskArn!);
          void this.track(this.runTask(task));
        }
      }
      await sleep(200);
    }
  }

  private async runTask(task: Task): Promise<void> {
    const overrides = task.overrides?.containerOverrides?.find((o) => o.name === WORKER_CONTAINER_NAME);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...this.awsEnv,
      NODE_NO_WARNINGS: '1',
    };
    for (const pair of [
      ...(await this.containerEnv(task.taskDefinitionArn!)),
      ...(overrides?.environment ?? []),
    ]) {
      if (pair.name) env[pair.name] = pair.value ?? '';
    }
    const taskId = task.taskArn!.split('/').pop()!;
    const jobId = env.JOB_ID;
    this.emit('task-started', { taskArn: task.taskArn, jobId });
    const log = openSync(path.join(this.options.logDir, `worker-${taskId}.log`), 'a');
    const started = Date.now();
    const child = spawn(process.execPath, [this.bundles.worker], { env, stdio: ['ignore', log, log] });
    this.stats.tasksStarted++;
    const taskNumber = (this.tasksPerJob.get(jobId ?? '') ?? 0) + 1;
    this.tasksPerJob.set(jobId ?? '', taskNumber);
    // A lost Fargate task: killed once its job is under way, exit code 137.
    const crash = this.chaos.crash(taskNumber) && jobId ? this.killWhenRunning(child, jobId) : undefined;
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (c, s) => resolve([c, s])),
    );
    crash?.abort();
    closeSync(log);
    if (signal === 'SIGKILL') this.stats.workersCrashed++;
    // A container killed by a signal reports 128 + the signal number, as Docker does.
    const exitCode = code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : null);
    const stoppedReason = 'Essential container in task exited';
    await this.ecs.send(
      new StopTaskCommand({ cluster: this.cloud.clusterArn, task: task.taskArn, reason: stoppedReason }),
    );
    this.emit('task-stopped', {
      taskArn: task.taskArn!,
      jobId,
      exitCode,
      durationMs: Date.now() - started,
    } satisfies TaskReport);
    // What the stack's EventBridge rule delivers for a STOPPED task on our cluster.
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '123456789012',
      time: new Date().toISOString(),
      region: this.cloud.region,
      resources: [task.taskArn],
      detail: {
        clusterArn: this.cloud.clusterArn,
        taskArn: task.taskArn,
        taskDefinitionArn: task.taskDefinitionArn,
        group: task.group,
        startedBy: task.startedBy,
        launchType: 'FARGATE',
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason,
        stoppedAt: new Date().toISOString(),
        containers: [
          {
            name: WORKER_CONTAINER_NAME,
            exitCode: exitCode ?? undefined,
            lastStatus: 'STOPPED',
            taskArn: task.taskArn,
          },
        ],
        overrides: task.overrides,
      },
    };
    await this.invokeAsync('task-state', this.bundles.taskState, taskStateEnv(this.cloud), event);
  }

  /** Polls the job until the worker has marked it RUNNING, then kills the worker. */
  private killWhenRunning(child: ChildProcess, jobId: string): AbortController {
    const cancel = new AbortController();
    void (async () => {
      while (!cancel.signal.aborted && child.exitCode === null) {
        const job = await this.jobs.get(jobId).catch(() => undefined);
        if (job?.status === 'RUNNING' && job.taskArn) {
          child.kill('SIGKILL');
          return;
        }
        await sleep(10);
      }
    })();
    return cancel;
  }

  private async containerEnv(taskDefinitionArn: string): Promise<KeyValuePair[]> {
    let env = this.taskDefinitionEnv.get(taskDefinitionArn);
    if (!env) {
      const out = await this.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }),
      );
      env =
        out.taskDefinition?.containerDefinitions?.find((c) => c.name === WORKER_CONTAINER_NAME)
          ?.environment ?? [];
      this.taskDefinitionEnv.set(taskDefinitionArn, env);
    }
    return env;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
