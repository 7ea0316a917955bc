import { LambdaClient } from '@aws-sdk/client-lambda';
import { createClients, type Clients } from './aws/clients.js';
import { dispatcherSubmitter } from './aws/dispatcher-invoke.js';
import { listVersionsPage } from './aws/object-versions.js';
import { s3ReconcileCursor } from './aws/reconcile-cursor.js';
import type { ReconcileCursor, ReconcileDeps, ReconcileLimits } from './reconcile.js';
import { JobsTable } from './aws/jobs-table.js';
import { Objects } from './aws/objects.js';
import { activeTaskCount } from './aws/cluster.js';
import { LaunchQueue } from './aws/launch-queue.js';
import { WorkerTasks } from './aws/tasks.js';
import type { DispatchDeps } from './dispatch.js';
import type { ExecuteDeps } from './execute.js';
import type { LauncherDeps } from './launcher.js';
import type { RedriveDeps } from './redrive.js';
import {
  commonSettings,
  dispatcherSettings,
  hasSecondCpu,
  launcherSettings,
  reconcilerSettings,
  redriveSettings,
  type CommonSettings,
} from './settings.js';
import type { Telemetry } from './telemetry.js';

/** Builds each entry point's dependencies from its environment, once per process. */

export function dispatchDepsFromEnv(env: NodeJS.ProcessEnv, telemetry: Telemetry): DispatchDeps {
  const settings = dispatcherSettings(env);
  const { deps, clients } = executeDeps(env, settings, telemetry);
  return {
    ...deps,
    launches: new LaunchQueue(clients.sqs, settings.launchQueueUrl),
    policy: settings.policy,
    maxObjectBytes: settings.maxObjectBytes,
    jobTtlDays: settings.jobTtlDays,
  };
}

export function redriveDepsFromEnv(env: NodeJS.ProcessEnv, telemetry: Telemetry): RedriveDeps {
  const settings = redriveSettings(env);
  const clients = createClients(env);
  return {
    jobs: new JobsTable(clients.ddb, settings.jobsTable),
    launches: new LaunchQueue(clients.sqs, settings.launchQueueUrl),
    maxAttempts: settings.maxAttempts,
    retryBaseMs: settings.retryBaseMs,
    telemetry,
  };
}

export function launcherDepsFromEnv(env: NodeJS.ProcessEnv, telemetry: Telemetry): LauncherDeps {
  const settings = launcherSettings(env);
  const clients = createClients(env);
  return {
    jobs: new JobsTable(clients.ddb, settings.jobsTable),
    tasks: new WorkerTasks(clients.ecs, settings.worker),
    queue: new LaunchQueue(clients.sqs, settings.launchQueueUrl),
    activeTasks: () => activeTaskCount(clients.ecs, settings.worker.clusterArn, settings.maxRunningTasks),
    maxRunningTasks: settings.maxRunningTasks,
    retryBaseMs: settings.retryBaseMs,
    telemetry,
  };
}

/** The reconciler's listing, job look-ups, dispatcher and cursor, and its limits (but for time). */
export function reconcileDepsFromEnv(
  env: NodeJS.ProcessEnv,
  telemetry: Telemetry,
): {
  deps: ReconcileDeps;
  cursor: ReconcileCursor;
  limits: Omit<ReconcileLimits, 'outOfTime' | 'from'>;
} {
  const settings = reconcilerSettings(env);
  const clients = createClients(env);
  const jobs = new JobsTable(clients.ddb, settings.jobsTable);
  const lambda = new LambdaClient({});
  return {
    deps: {
      bucket: settings.bucket,
      region: env.AWS_REGION ?? 'us-east-1',
      listVersions: (prefix, from) => listVersionsPage(clients.s3, settings.bucket, prefix, from),
      jobsFound: (jobIds) => jobs.found(jobIds),
      submit: dispatcherSubmitter(lambda, settings.dispatcherFunction),
    },
    cursor: s3ReconcileCursor(clients.s3, settings.bucket, (error) =>
      telemetry.logger.warn('reconcile cursor unreadable: listing from the top', { error }),
    ),
    limits: {
      graceSeconds: settings.graceSeconds,
      lookbackSeconds: settings.lookbackSeconds,
      maxSubmitted: settings.maxPerRun,
    },
  };
}

export function executeDepsFromEnv(env: NodeJS.ProcessEnv, telemetry: Telemetry): ExecuteDeps {
  return executeDeps(env, commonSettings(env), telemetry).deps;
}

/** What running a job needs, the same in the dispatcher and the worker, with the clients built for it. */
function executeDeps(
  env: NodeJS.ProcessEnv,
  settings: CommonSettings,
  telemetry: Telemetry,
): { deps: ExecuteDeps; clients: Clients } {
  const clients = createClients(env);
  const deps: ExecuteDeps = {
    jobs: new JobsTable(clients.ddb, settings.jobsTable),
    objects: new Objects(clients.s3, {
      readConcurrency: settings.s3ReadConcurrency,
      stallSeconds: settings.inputStallSeconds,
    }),
    sharedMountPath: settings.sharedMountPath,
    telemetry,
    parseOnThread: hasSecondCpu(env) ? undefined : false,
    now: () => new Date(),
  };
  return { deps, clients };
}
