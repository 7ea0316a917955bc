import type { Context, EventBridgeEvent } from 'aws-lambda';
import { Env, WORKER_CONTAINER_NAME } from '../lib/contract.js';
import { createClients } from '../src/runtime/aws/clients.js';
import { JobsTable } from '../src/runtime/aws/jobs-table.js';
import { required } from '../src/runtime/settings.js';
import { recordTaskStopped, type TaskStateDetail } from '../src/runtime/task-state.js';
import { createTelemetry } from '../src/runtime/telemetry.js';

const jobs = new JobsTable(createClients().ddb, required(process.env, Env.JOBS_TABLE));
const telemetry = createTelemetry('task-state');

/** `ECS Task State Change` (STOPPED) → the job's outcome when the worker could not record it. */
export const handler = async (
  event: EventBridgeEvent<'ECS Task State Change', TaskStateDetail>,
  context: Context,
): Promise<void> => {
  telemetry.logger.addContext(context);
  const outcome = await recordTaskStopped(event.detail, jobs, WORKER_CONTAINER_NAME, new Date());
  telemetry.logger.info('task stopped', { taskArn: event.detail.taskArn, outcome });
  if (outcome === 'recorded-failure') telemetry.jobFinished('ecs', 'FAILED');
  telemetry.flush();
};
