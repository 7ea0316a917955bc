import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { JobsTable } from '../src/runtime/aws/jobs-table.js';
import type { LocalBundles } from './bundle.js';
import { NO_CHAOS, type Chaos } from './chaos.js';
import { FargateTasks } from './fargate-tasks.js';
import { ExecutionEnvironment } from './lambda-environment.js';
import { dispatcherEnv, localAwsEnv, sweeperEnv, taskStateEnv, type LocalCloud } from './resources.js';

export interface LocalRunnerOptions {
  /** Folder for the functions' and workers' own logs. */
  logDir: string;
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

export type { TaskReport } from './fargate-tasks.js';

/** Events: `invocation` (InvocationReport), `task-started` ({taskArn, jobId}), `task-stopped` (TaskReport). */
export class LocalRunner extends EventEmitter {
  private readonly sqs: SQSClient;
  private readonly ecs: ECSClient;
  private readonly ddb: DynamoDBClient;
  private readonly jobs: JobsTable;
  private readonly awsEnv: Record<string, string>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private running = false;
  private loops: Promise<void>[] = [];
  private activeInvocations = 0;
  private readonly idleHosts = new Map<string, ExecutionEnvironment[]>();
  private readonly logs = new Map<string, number>();
  private readonly chaos: Chaos;
  private readonly tasks: FargateTasks;
  private readonly invocations = { dispatcherInvocations: 0, duplicatesDelivered: 0, invocationRetries: 0 };

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
    this.tasks = new FargateTasks({
      ecs: this.ecs,
      clusterArn: cloud.clusterArn,
      region: cloud.region,
      workerBundle: bundles.worker,
      baseEnv: { PATH: process.env.PATH ?? '', ...this.awsEnv, NODE_NO_WARNINGS: '1' },
      logDir: options.logDir,
      crash: (taskNumber) => this.chaos.crash(taskNumber),
      jobs: this.jobs,
      deliverStopped: (event) =>
        this.track(this.invokeAsync('task-state', bundles.taskState, taskStateEnv(cloud), event)),
    });
    for (const name of ['task-started', 'task-stopped']) {
      this.tasks.on(name, (report: unknown) => this.emit(name, report));
    }
  }

  get stats(): RunnerStats {
    return { ...this.invocations, ...this.tasks.stats };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = [this.consumeObjectEvents(), this.sweepOnSchedule()];
    this.tasks.start();
  }

  /** Resolves once no invocation is under way (each async invocation with its retries). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops polling and waits for every invocation and task under way to finish. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.tasks.stop();
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    for (const environment of [...this.idleHosts.values()].flat()) environment.kill();
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
        this.invocations.duplicatesDelivered += deliveries - 1;
        for (let i = 0; i < deliveries; i++) {
          this.invocations.dispatcherInvocations++;
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
          this.invocations.invocationRetries++;
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
  async invoke(
    functionName: string,
    bundle: string,
    env: Record<string, string>,
    event: unknown,
    attempt = 1,
  ): Promise<InvocationReport> {
    const timeoutMs = this.cloud.lambdaTimeoutSeconds * 1000;
    const memoryMb = this.cloud.lambdaMemoryMb;
    const pool = this.idleHosts.get(functionName) ?? [];
    this.idleHosts.set(functionName, pool);
    const environment =
      pool.pop() ??
      new ExecutionEnvironment({
        hostBundle: this.bundles.lambdaHost,
        handlerFile: bundle,
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          AWS_ENDPOINT_URL: this.awsEnv.AWS_ENDPOINT_URL!,
          AWS_LAMBDA_FUNCTION_NAME: functionName,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
          NODE_NO_WARNINGS: '1',
        },
        stdout: this.logFile(functionName),
        stderr: this.logFile(functionName),
      });
    const outcome = await environment.invoke({
      event,
      timeoutMs,
      functionName,
      memoryMb,
      requestId: randomUUID(),
    });
    if (environment.alive && this.running) pool.push(environment);
    else environment.kill();
    return {
      functionName,
      ok: outcome.ok,
      error: outcome.error?.message,
      attempt,
      durationMs: outcome.durationMs,
    };
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
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
