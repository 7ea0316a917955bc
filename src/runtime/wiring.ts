import { createClients, type Clients } from './aws/clients.js';
import { JobsTable } from './aws/jobs-table.js';
import { Objects } from './aws/objects.js';
import { WorkerTasks } from './aws/tasks.js';
import type { DispatchDeps, ExecuteDeps } from './pipeline.js';
import type { RedriveDeps } from './redrive.js';
import { commonSettings, dispatcherSettings, redriveSettings, type RedriveSettings } from './settings.js';
import type { Telemetry } from './telemetry.js';

/** Builds each entry point's dependencies from its environment, once per process. */

function workerTasks(clients: Clients, settings: RedriveSettings, telemetry: Telemetry): WorkerTasks {
  return new WorkerTasks(clients.ecs, settings.worker, {
    baseMs: settings.retryBaseMs,
    onRetry: (attempt, reason, delayMs) =>
      telemetry.logger.warn('RunTask retry', { attempt, reason, delayMs }),
  });
}

export function dispatchDepsFromEnv(env: NodeJS.ProcessEnv, telemetry: Telemetry): DispatchDeps {
  const settings = dispatcherSettings(env);
  const clients = createClients(env);
  return {
    jobs: new JobsTable(clients.ddb, settings.jobsTable),
    objects: new Objects(clients.s3, { readConcurrency: settings.s3ReadConcurrency }),
    tasks: workerTasks(clients, settings, telemetry),
    policy: settings.policy,
    maxObjectBytes: settings.maxObjectBytes,
    jobTtlDays: settings.jobTtlDays,
    sharedMountPath: settings.sharedMountPath,
    telemetry,
    // Lambda gives a second full vCPU only from about 3,538 MB; below that a second thread competes
    // with the parser for one vCPU's share, whatever the machine reports.
    gunzipOnWorker: Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 0) >= 3538 ? undefined : false,
  };
}

export function redriveDepsFromEnv(env: NodeJS.ProcessEnv, telemetry: Telemetry): RedriveDeps {
  const settings = redriveSettings(env);
  const clients = createClients(env);
  return {
    jobs: new JobsTable(clients.ddb, settings.jobsTable),
    tasks: workerTasks(clients, settings, telemetry),
    maxAttempts: settings.maxAttempts,
    retryBaseMs: settings.retryBaseMs,
    telemetry,
  };
}

export function executeDepsFromEnv(env: NodeJS.ProcessEnv, telemetry: Telemetry): ExecuteDeps {
  const settings = commonSettings(env);
  const clients = createClients(env);
  return {
    jobs: new JobsTable(clients.ddb, settings.jobsTable),
    objects: new Objects(clients.s3, { readConcurrency: settings.s3ReadConcurrency }),
    sharedMountPath: settings.sharedMountPath,
    telemetry,
  };
}
