import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventEmitter } from 'node:events';
import { DEFAULTS } from '../lib/config.js';
import { JobsTable } from '../src/runtime/aws/jobs-table.js';
import type { LocalBundles } from './bundle.js';
import { NO_CHAOS, type Chaos } from './chaos.js';
import { FargateTasks } from './fargate-tasks.js';
import { AsyncInvoker } from './async-invoke.js';
import { LambdaPool } from './lambda-pool.js';
import { RestoreClock } from './restores.js';
import { SqsEventSource } from './sqs-event-source.js';
import { startLambdaApi, type LocalLambdaApi } from './lambda-api.js';
import { receiveUntilStopped } from './long-poll.js';
import {
  dispatcherEnv,
  launcherEnv,
  localAwsEnv,
  localClientConfig,
  LOCAL_DISPATCHER_FUNCTION,
  reconcilerEnv,
  sweeperEnv,
  taskStateEnv,
  type LocalCloud,
} from './resources.js';

export interface LocalRunnerOptions {
  /** Folder for the functions' and workers' own logs. */
  logDir: string;
  /** How many dispatcher invocations may run at once. @default 4 */
  lambdaConcurrency?: number;
  /** Launcher invocations at once, as the launch queue's event source. @default the stack's */
  launcherConcurrency?: number;
  /** Lambda retries a failed asynchronous invocation this many times. @default 2 */
  asyncRetries?: number;
  /** Delay before each retry, shorter than Lambda's minutes so a local run stays quick. @default 500 */
  retryDelayMs?: number;
  /** How often the sweeper runs, as the stack's schedule does every few minutes. @default 5000 */
  sweepIntervalMs?: number;
  /**
   * How often the reconciler runs, as the stack's schedule does every half hour; 0 never (tests
   * that run it themselves). @default 60000
   */
  reconcileIntervalMs?: number;
  /**
   * Uploads younger than this are left to their own event by the reconciler: long enough for a
   * backlog of notifications waiting for a free environment. @default 120
   */
  reconcileGraceSeconds?: number;
  /** Uploads the reconciler hands on in one run at most. @default the stack's */
  reconcileMaxPerRun?: number;
  /**
   * The bucket's notifications are not consumed: uploads get no event, as when S3 loses one.
   * @default false
   */
  withholdObjectEvents?: boolean;
  /** Faults to inject (see chaos.ts). @default none */
  chaos?: Chaos;
  /** ECS endpoint of the functions and workers: the local ECS (ecs-proxy.ts). @default the emulator */
  ecsEndpoint?: string;
}

/** What the runner did, for the demo, the load test and the chaos tests. */
export interface RunnerStats {
  dispatcherInvocations: number;
  duplicatesDelivered: number;
  /** Events dropped by the `lostevent` fault. */
  eventsLost: number;
  invocationRetries: number;
  tasksStarted: number;
  workersCrashed: number;
  workersInterrupted: number;
}

export type { InvocationReport } from './lambda-pool.js';
export type { TaskReport, TaskStart } from './fargate-tasks.js';

/**
 * Plays Lambda and Fargate for the moto cloud: the bucket's notifications (in the emulator's
 * queue) and the sweeper's schedule become asynchronous invocations (`AsyncInvoker`, in the warm
 * environments of `LambdaPool`), and each task RunTask records runs as a worker process
 * (`FargateTasks`), whose stop invokes the task-state function as the stack's rule would.
 * `RestoreClock` completes restores on its own, as S3 does.
 *
 * Events: `invocation` (InvocationReport), `task-started` (TaskStart), `task-stopped` (TaskReport).
 */
export class LocalRunner extends EventEmitter {
  private readonly sqs: SQSClient;
  private readonly s3: S3Client;
  private readonly ecs: ECSClient;
  private readonly ddb: DynamoDBClient;
  private readonly jobs: JobsTable;
  private readonly awsEnv: Record<string, string>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private running = false;
  private stopping = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly pool: LambdaPool;
  private readonly invoker: AsyncInvoker;
  private readonly chaos: Chaos;
  private readonly tasks: FargateTasks;
  private readonly launches: SqsEventSource;
  private readonly restores: RestoreClock;
  private readonly events = { dispatcherInvocations: 0, duplicatesDelivered: 0, eventsLost: 0 };
  private lambdaApi?: LocalLambdaApi;

  constructor(
    private readonly cloud: LocalCloud,
    private readonly bundles: LocalBundles,
    private readonly options: LocalRunnerOptions,
  ) {
    super();
    this.awsEnv = {
      ...localAwsEnv(cloud.endpoint, cloud.region),
      // The SDK's per-service endpoint: only ECS calls go through the local ECS's limits.
      ...(options.ecsEndpoint ? { AWS_ENDPOINT_URL_ECS: options.ecsEndpoint } : {}),
    };
    this.chaos = options.chaos ?? NO_CHAOS;
    const config = localClientConfig(cloud.endpoint, cloud.region);
    this.sqs = new SQSClient(config);
    this.s3 = new S3Client({ ...config, forcePathStyle: true });
    this.ecs = new ECSClient(config);
    this.ddb = new DynamoDBClient(config);
    this.jobs = new JobsTable(DynamoDBDocumentClient.from(this.ddb), cloud.table);
    this.pool = new LambdaPool({
      hostBundle: bundles.lambdaHost,
      logDir: options.logDir,
      timeoutMs: cloud.lambdaTimeoutSeconds * 1000,
      memoryMb: cloud.lambdaMemoryMb,
      awsEnv: this.awsEnv,
    });
    this.invoker = new AsyncInvoker({
      pool: this.pool,
      sqs: this.sqs,
      onFailureQueueUrl: cloud.onFailureQueueUrl,
      region: cloud.region,
      retries: options.asyncRetries,
      retryDelayMs: options.retryDelayMs,
    });
    this.invoker.on('invocation', (report: unknown) => this.emit('invocation', report));
    this.tasks = new FargateTasks({
      ecs: this.ecs,
      clusterArn: cloud.clusterArn,
      region: cloud.region,
      workerBundle: bundles.worker,
      baseEnv: { PATH: process.env.PATH ?? '', ...this.awsEnv, NODE_NO_WARNINGS: '1' },
      logDir: options.logDir,
      crash: (taskNumber) => this.chaos.crash(taskNumber),
      interrupt: (taskNumber) => this.chaos.interrupt(taskNumber),
      jobs: this.jobs,
      deliverStopped: (event) =>
        this.track(this.invoker.invoke('task-state', bundles.taskState, taskStateEnv(cloud), event)),
    });
    this.launches = new SqsEventSource({
      pool: this.pool,
      sqs: this.sqs,
      queueUrl: cloud.launchQueueUrl,
      queueArn: cloud.launchQueueArn,
      functionName: 'launcher',
      bundle: bundles.launcher,
      env: launcherEnv(cloud),
      maxConcurrency: options.launcherConcurrency ?? DEFAULTS.launcherConcurrency,
    });
    this.launches.on('invocation', (report: unknown) => this.emit('invocation', report));
    this.restores = new RestoreClock({
      s3: this.s3,
      sqs: this.sqs,
      queueUrl: cloud.restoreRequestsQueueUrl,
      restoreSeconds: cloud.restoreSeconds,
    });
    for (const name of ['task-started', 'task-stopped']) {
      this.tasks.on(name, (report: unknown) => this.emit(name, report));
    }
  }

  get stats(): RunnerStats {
    return { ...this.events, invocationRetries: this.invoker.retried, ...this.tasks.stats };
  }

  /**
   * Starts playing Lambda and Fargate. Lambda's API (asynchronous invocations of the dispatcher)
   * answers at `lambdaEndpoint` once this resolves.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.lambdaApi = await startLambdaApi((name, event) => {
      if (name !== LOCAL_DISPATCHER_FUNCTION) return false;
      this.invokeDispatcher(event);
      return true;
    });
    this.loops = [this.sweepOnSchedule(), this.reconcileOnSchedule()];
    if (!this.options.withholdObjectEvents) this.loops.push(this.consumeObjectEvents());
    this.launches.start();
    this.tasks.start();
    this.restores.start();
  }

  /** Where the runner answers Lambda's `Invoke` (asynchronous invocations only). */
  get lambdaEndpoint(): string {
    if (!this.lambdaApi) throw new Error('the runner is not started');
    return this.lambdaApi.endpoint;
  }

  /** Runs the reconciler once, as its schedule does, and resolves when it is done. */
  reconcileNow(): Promise<void> {
    const env = reconcilerEnv(this.cloud, this.lambdaEndpoint, {
      graceSeconds: this.options.reconcileGraceSeconds,
      maxPerRun: this.options.reconcileMaxPerRun,
    });
    return this.track(
      this.invoker.invoke('reconciler', this.bundles.reconciler, env, { source: 'aws.events' }),
    );
  }

  /** Resolves once no invocation is under way (each async invocation with its retries). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops polling and waits for every invocation and task under way to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await Promise.all(this.loops);
    await this.restores.stop();
    await this.launches.stop();
    await this.lambdaApi?.close();
    await this.tasks.stop();
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    this.pool.close();
    this.sqs.destroy();
    this.s3.destroy();
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
      if (this.invoker.active >= limit) {
        await sleep(50);
        continue;
      }
      const messages = await receiveUntilStopped(
        this.sqs,
        {
          QueueUrl: this.cloud.queueUrl,
          MaxNumberOfMessages: Math.min(10, limit - this.invoker.active),
          WaitTimeSeconds: 1,
        },
        this.stopping.signal,
      );
      for (const message of messages) {
        const event = JSON.parse(message.Body ?? '{}') as { Event?: string; Records?: unknown[] };
        // Lambda's async queue has accepted the event once it is handed over.
        await this.sqs.send(
          new DeleteMessageCommand({ QueueUrl: this.cloud.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        if (event.Event === 's3:TestEvent' || !event.Records) continue;
        if (this.chaos.loseEvent()) {
          this.events.eventsLost++;
          continue;
        }
        const deliveries = this.chaos.duplicate() ? 2 : 1;
        this.events.duplicatesDelivered += deliveries - 1;
        for (let i = 0; i < deliveries; i++) this.invokeDispatcher(event);
      }
    }
  }

  private invokeDispatcher(event: unknown): void {
    this.events.dispatcherInvocations++;
    void this.track(
      this.invoker.invoke(
        LOCAL_DISPATCHER_FUNCTION,
        this.bundles.dispatcher,
        dispatcherEnv(this.cloud),
        event,
      ),
    );
  }

  private async reconcileOnSchedule(): Promise<void> {
    const interval = this.options.reconcileIntervalMs ?? 60_000;
    if (interval <= 0) return;
    let next = Date.now() + interval;
    while (this.running) {
      if (Date.now() >= next) {
        await this.reconcileNow();
        next = Date.now() + interval;
      }
      await sleep(100);
    }
  }

  private async sweepOnSchedule(): Promise<void> {
    const interval = this.options.sweepIntervalMs ?? 5000;
    let next = Date.now() + interval;
    while (this.running) {
      if (Date.now() >= next) {
        await this.track(
          this.invoker.invoke('sweeper', this.bundles.sweeper, sweeperEnv(this.cloud), {
            source: 'aws.events',
          }),
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
