import type { Context, EventBridgeEvent } from 'aws-lambda';
import { WORKER_CONTAINER_NAME } from '../contract/names.js';
import { recordTaskStopped, type TaskStateDetail, type TaskStateOutcome } from '../src/runtime/task-state.js';
import { createTelemetry } from '../src/runtime/telemetry.js';
import { redriveDepsFromEnv } from '../src/runtime/wiring.js';

const telemetry = createTelemetry('task-state');
const deps = redriveDepsFromEnv(process.env, telemetry);

/** `ECS Task State Change` (STOPPED) → re-drive a crashed worker's job, or record why it failed. */
export const handler = async (
  event: EventBridgeEvent<'ECS Task State Change', TaskStateDetail>,
  context: Context,
): Promise<TaskStateOutcome> => {
  telemetry.logger.addContext(context);
  const outcome = await recordTaskStopped(event.detail, WORKER_CONTAINER_NAME, deps);
  telemetry.logger.info('task stopped', { taskArn: event.detail.taskArn, outcome });
  return outcome;
};
