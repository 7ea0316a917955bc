import type { Context, S3Event } from 'aws-lambda';
import { createClients } from '../src/runtime/aws/clients.js';
import { JobsTable } from '../src/runtime/aws/jobs-table.js';
import { Objects } from '../src/runtime/aws/objects.js';
import { WorkerTasks } from '../src/runtime/aws/tasks.js';
import { deadlineSignal, objectRefFromRecord } from '../src/runtime/events.js';
import { dispatchObject, type DispatchDeps } from '../src/runtime/pipeline.js';
import { dispatcherSettings } from '../src/runtime/settings.js';
import { createTelemetry } from '../src/runtime/telemetry.js';

const settings = dispatcherSettings(process.env);
const clients = createClients();
const telemetry = createTelemetry('dispatcher');
const deps: DispatchDeps = {
  jobs: new JobsTable(clients.ddb, settings.jobsTable),
  objects: new Objects(clients.s3),
  tasks: new WorkerTasks(clients.ecs, settings.worker),
  policy: settings.policy,
  maxObjectBytes: settings.maxObjectBytes,
  jobTtlDays: settings.jobTtlDays,
  sharedMountPath: settings.sharedMountPath,
  telemetry,
};

/** S3 object-created events → one job per object version, run here or handed to ECS. */
export const handler = async (event: S3Event, context: Context): Promise<void> => {
  telemetry.logger.addContext(context);
  const remaining = context.getRemainingTimeInMillis();
  // What the routing budget leaves of the timeout is kept for handing a long job to ECS.
  const deadline = deadlineSignal(
    remaining,
    Math.max(1000, remaining - settings.policy.lambdaBudgetSeconds * 1000),
  );
  try {
    for (const record of event.Records) {
      const result = await dispatchObject(objectRefFromRecord(record), deps, deadline.signal);
      telemetry.logger.info('dispatched', {
        outcome: result.outcome,
        jobId: 'job' in result ? result.job.jobId : undefined,
      });
    }
  } finally {
    deadline.clear();
    telemetry.flush();
  }
};
