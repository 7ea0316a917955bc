import type { Context, S3Event } from 'aws-lambda';
import { invocationDeadline, objectRefFromRecord } from '../src/runtime/events.js';
import { dispatchObject, type DispatchOutcome } from '../src/runtime/dispatch.js';
import { createTelemetry } from '../src/runtime/telemetry.js';
import { dispatchDepsFromEnv } from '../src/runtime/wiring.js';

const telemetry = createTelemetry('dispatcher');
const deps = dispatchDepsFromEnv(process.env, telemetry);

/**
 * S3 events (an object created, or an archived one restored) → one job per object version, run
 * here or handed to ECS. Returns each record's outcome: Lambda drops an asynchronous
 * invocation's result; the local runner prints it.
 */
export const handler = async (event: S3Event, context: Context): Promise<DispatchOutcome[]> => {
  telemetry.logger.addContext(context);
  const remaining = context.getRemainingTimeInMillis();
  // What the routing budget leaves of the timeout is kept for handing a long job to ECS.
  const reserve = Math.max(1000, remaining - deps.policy.lambdaBudgetSeconds * 1000);
  const invocation = invocationDeadline(remaining, reserve);
  const outcomes: DispatchOutcome[] = [];
  try {
    for (const record of event.Records) {
      const result = await dispatchObject(objectRefFromRecord(record), deps, invocation);
      telemetry.logger.info('dispatched', {
        outcome: result.outcome,
        jobId: 'job' in result ? result.job.jobId : undefined,
      });
      outcomes.push(result);
    }
    return outcomes;
  } finally {
    invocation.clear();
  }
};
