import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  StopTaskCommand,
  type ECSClient,
  type KeyValuePair,
  type Task,
} from '@aws-sdk/client-ecs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { Env, WORKER_CONTAINER_NAME } from '../contract/names.js';
import type { JobsTable } from '../src/runtime/aws/jobs-table.js';
import { COLLECTOR_FLAG } from '../src/runtime/aws/collector-nudge.js';

export interface FargateTasksOptions {
  ecs: ECSClient;
  clusterArn: string;
  region: string;
  /** The worker bundle each task runs (the image's only content). */
  workerBundle: string;
  /** Node.js binary of the worker processes. @default this process's */
  node?: string;
  /** Environment before the task definition's and the overrides: endpoint, credentials, PATH. */
  baseEnv: Record<string, string>;
  /** Rewrites a task's final environment, e.g. to map a mount path to the local shared folder. */
  mapEnv?: (env: Record<string, string>) => Record<string, string>;
  /** Folder for one log file per task. */
  logDir: string;
  /** Whether to kill the n-th task of a job once its job is under way (injected faults). */
  crash?: (taskNumber: number) => boolean;
  /**
   * Whether to stop the n-th task of a job once its job is under way, as a Spot reclaim does:
   * SIGTERM, then SIGKILL after the container's `stopTimeout` (injected faults).
   */
  interrupt?: (taskNumber: number) => boolean;
  /** Needed with `crash` and `interrupt`: where to see that a job is under way. */
  jobs?: JobsTable;
  /** Delivers what the stack's EventBridge rule sends when a task stops. */
  deliverStopped: (event: TaskStateChangeEvent) => Promise<void>;
  /** How often RunTask's recorded tasks are looked for. @default 200 */
  pollMs?: number;
}

/** The part of an `ECS Task State Change` event the task-state function reads. */
export interface TaskStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'ECS Task State Change';
  source: 'aws.ecs';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** A worker task, as `task-started` reports it: the job its overrides name. */
export interface TaskStart {
  taskArn: string;
  jobId?: string;
  bucket?: string;
  key?: string;
}

export interface TaskReport extends TaskStart {
  exitCode: number | null;
  durationMs: number;
}

/**
 * Plays Fargate for an emulator whose ECS only records tasks: each task `RunTask` recorded in the
 * cluster is started as a worker process with the task definition's environment and the
 * overrides; when it exits, the task is stopped in the emulator and the `ECS Task State Change`
 * event that EventBridge would deliver is handed to `deliverStopped`.
 *
 * Events: `task-started` (TaskStart), `task-stopped` (TaskReport).
 */
export class FargateTasks extends EventEmitter {
  readonly stats = { tasksStarted: 0, workersCrashed: 0, workersInterrupted: 0 };
  private readonly seen = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly containers = new Map<string, { environment: KeyValuePair[]; stopTimeout: number }>();
  private readonly tasksPerJob = new Map<string, number>();
  private polling = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly options: FargateTasksOptions) {
    super();
  }

  start(): void {
    if (this.polling) return;
    this.polling = true;
    this.loop = this.watch();
  }

  /** Stops looking for tasks and waits for those under way to end. */
  async stop(): Promise<void> {
    this.polling = false;
    await this.loop;
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private async watch(): Promise<void> {
    const { ecs, clusterArn } = this.options;
    while (this.polling) {
      const listed = await ecs.send(new ListTasksCommand({ cluster: clusterArn, desiredStatus: 'RUNNING' }));
      const fresh = (listed.taskArns ?? []).filter((arn) => !this.seen.has(arn));
      if (fresh.length) {
        const described = await ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: fresh }));
        for (const task of described.tasks ?? []) {
          this.seen.add(task.taskArn!);
          const run = this.run(task).catch((error: unknown) =>
            console.error(`task ${task.taskArn}: ${(error as Error).message}`),
          );
          this.running.add(run);
          void run.finally(() => this.running.delete(run));
        }
      }
      await sleep(this.options.pollMs ?? 200);
    }
  }

  private async run(task: Task): Promise<void> {
    const { ecs, clusterArn } = this.options;
    const overrides = task.overrides?.containerOverrides?.find((o) => o.name === WORKER_CONTAINER_NAME);
    let env: Record<string, string> = { ...this.options.baseEnv };
    const container = await this.container(task.taskDefinitionArn!);
    for (const pair of [...container.environment, ...(overrides?.environment ?? [])]) {
      if (pair.name) env[pair.name] = pair.value ?? '';
    }
    env = this.options.mapEnv?.(env) ?? env;
    const taskId = task.taskArn!.split('/').pop()!;
    const jobId = env[Env.JOB_ID];
    const start: TaskStart = {
      taskArn: task.taskArn!,
      jobId,
      bucket: env[Env.JOB_BUCKET],
      key: env[Env.JOB_KEY],
    };
    this.emit('task-started', start);
    const log = openSync(path.join(this.options.logDir, `worker-${taskId}.log`), 'a');
    const started = Date.now();
    const child = spawn(this.options.node ?? process.execPath, [COLLECTOR_FLAG, this.options.workerBundle], {
      env,
      stdio: ['ignore', log, log],
    });
    this.stats.tasksStarted++;
    const taskNumber = (this.tasksPerJob.get(jobId ?? '') ?? 0) + 1;
    this.tasksPerJob.set(jobId ?? '', taskNumber);
    const jobs = jobId ? this.options.jobs : undefined;
    let fault: AbortController | undefined;
    let interrupted = false;
    let forceKill: NodeJS.Timeout | undefined;
    if (jobs && jobId && this.options.crash?.(taskNumber)) {
      // A lost Fargate task: killed once its job is under way, exit code 137.
      fault = whenRunning(child, jobs, jobId, () => child.kill('SIGKILL'));
    } else if (jobs && jobId && this.options.interrupt?.(taskNumber)) {
      // A Spot reclaim: ECS sends SIGTERM, and SIGKILL if the container outlives its stopTimeout.
      fault = whenRunning(child, jobs, jobId, () => {
        interrupted = true;
        this.stats.workersInterrupted++;
        child.kill('SIGTERM');
        forceKill = setTimeout(() => child.kill('SIGKILL'), container.stopTimeout * 1000);
      });
    }
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (c, s) => resolve([c, s])),
    );
    fault?.abort();
    clearTimeout(forceKill);
    closeSync(log);
    if (signal === 'SIGKILL') this.stats.workersCrashed++;
    // A container killed by a signal reports 128 + the signal number, as Docker does.
    const exitCode = code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : null);
    const stoppedReason = interrupted
      ? 'Your Spot Task was interrupted.'
      : 'Essential container in task exited';
    await ecs.send(new StopTaskCommand({ cluster: clusterArn, task: task.taskArn, reason: stoppedReason }));
    this.emit('task-stopped', {
      ...start,
      exitCode,
      durationMs: Date.now() - started,
    } satisfies TaskReport);
    await this.options.deliverStopped({
      version: '0',
      id: randomUUID(),
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: task.taskArn!.split(':')[4] ?? '000000000000',
      time: new Date().toISOString(),
      region: this.options.region,
      resources: [task.taskArn!],
      detail: {
        clusterArn,
        taskArn: task.taskArn,
        taskDefinitionArn: task.taskDefinitionArn,
        group: task.group,
        startedBy: task.startedBy,
        launchType: 'FARGATE',
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: interrupted ? 'SpotInterruption' : 'EssentialContainerExited',
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
    });
  }

  /** The worker container's environment and stop timeout (ECS's default of 30 s when unset). */
  private async container(taskDefinitionArn: string) {
    let container = this.containers.get(taskDefinitionArn);
    if (!container) {
      const out = await this.options.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }),
      );
      const definition = out.taskDefinition?.containerDefinitions?.find(
        (c) => c.name === WORKER_CONTAINER_NAME,
      );
      container = { environment: definition?.environment ?? [], stopTimeout: definition?.stopTimeout ?? 30 };
      this.containers.set(taskDefinitionArn, container);
    }
    return container;
  }
}

/** Polls the job until the worker has marked it RUNNING, then does `act` to the worker. */
function whenRunning(child: ChildProcess, jobs: JobsTable, jobId: string, act: () => void): AbortController {
  const cancel = new AbortController();
  void (async () => {
    while (!cancel.signal.aborted && child.exitCode === null) {
      const job = await jobs.get(jobId).catch(() => undefined);
      if (job?.status === 'RUNNING' && job.taskArn) {
        act();
        return;
      }
      await sleep(10);
    }
  })();
  return cancel;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
