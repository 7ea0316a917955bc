import type { Context } from 'aws-lambda';
import { sweepExpired, type RedriveOutcome } from '../src/runtime/redrive.js';
import { createTelemetry } from '../src/runtime/telemetry.js';
import { redriveDepsFromEnv } from '../src/runtime/wiring.js';

const telemetry = createTelemetry('sweeper');
const deps = redriveDepsFromEnv(process.env, telemetry);

/** On a schedule: jobs whose runner died without a word are re-driven on ECS or failed (counted). */
export const handler = async (_event: unknown, context: Context): Promise<Record<RedriveOutcome, number>> => {
  telemetry.logger.addContext(context);
  const counts = await sweepExpired(deps);
  telemetry.logger.info('sweep done', counts);
  return counts;
};
