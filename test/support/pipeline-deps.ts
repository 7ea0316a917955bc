import { WORKER_CONTAINER_NAME } from '../../contract/names.js';
import type { LocalCloud } from '../../local/resources.js';
import type { Clients } from '../../src/runtime/aws/clients.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import { LaunchQueue } from '../../src/runtime/aws/launch-queue.js';
import { Objects } from '../../src/runtime/aws/objects.js';
import { WorkerTasks } from '../../src/runtime/aws/tasks.js';
import type { DispatchDeps } from '../../src/runtime/dispatch.js';
import type { LauncherDeps } from '../../src/runtime/launcher.js';
import type { RedriveDeps } from '../../src/runtime/redrive.js';
import { createTelemetry } from '../../src/runtime/telemetry.js';

/**
 * The dispatcher's, re-drivers' and launcher's dependencies on a test cloud, as the wiring builds
 * them in a function, with short retries and no running-task cap.
 */
export function pipelineDeps(
  cloud: LocalCloud,
  clients: Clients,
  options: { maxObjectBytes: number },
): { deps: DispatchDeps; redrive: RedriveDeps; launcher: LauncherDeps } {
  const deps: DispatchDeps = {
    jobs: new JobsTable(clients.ddb, cloud.table),
    objects: new Objects(clients.s3, { readConcurrency: 1 }),
    now: () => new Date(),
    launches: new LaunchQueue(clients.sqs, cloud.launchQueueUrl),
    policy: cloud.policy,
    maxObjectBytes: options.maxObjectBytes,
    jobTtlDays: 30,
    sharedMountPath: cloud.sharedDir,
    telemetry: createTelemetry('test'),
  };
  const common = { jobs: deps.jobs, retryBaseMs: 1, telemetry: deps.telemetry };
  return {
    deps,
    redrive: { ...common, launches: deps.launches, maxAttempts: 3 },
    launcher: {
      ...common,
      tasks: workerTasks(cloud, clients, cloud.clusterArn),
      queue: deps.launches,
      activeTasks: async () => 0,
      maxRunningTasks: 100,
    },
  };
}

/** Worker tasks of the test cloud's task definition, started in `clusterArn`. */
export function workerTasks(cloud: LocalCloud, clients: Clients, clusterArn: string): WorkerTasks {
  return new WorkerTasks(clients.ecs, {
    clusterArn,
    taskDefinitionArn: cloud.taskDefinitionArn,
    containerName: WORKER_CONTAINER_NAME,
    subnets: cloud.subnets,
    securityGroups: cloud.securityGroups,
  });
}
