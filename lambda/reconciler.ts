import type { Context } from 'aws-lambda';
import { reconcileFromCursor, type ListMarker } from '../src/runtime/reconcile.js';
import { createTelemetry } from '../src/runtime/telemetry.js';
import { reconcileDepsFromEnv } from '../src/runtime/wiring.js';

const telemetry = createTelemetry('reconciler');
const { deps, cursor, limits } = reconcileDepsFromEnv(process.env, telemetry);

/**
 * Time kept back from the timeout to finish the version in hand and log the report: 30 s, or a
 * fifth of a shorter timeout (the local cloud's functions have seconds, not minutes).
 */
const RESERVE_MS = 30_000;

/**
 * On a schedule: uploads under incoming/ past the grace period without a job item are handed to
 * the dispatcher as S3 events (asynchronous invocations). A run that stops early leaves a cursor
 * and the next one goes on from it. Returns what it found and did.
 */
export const handler = async (_event: unknown, context: Context) => {
  telemetry.logger.addContext(context);
  const reserve = Math.min(RESERVE_MS, context.getRemainingTimeInMillis() / 5);
  const report = await reconcileFromCursor(deps, cursor, {
    ...limits,
    outOfTime: () => context.getRemainingTimeInMillis() < reserve,
  });
  const summary = {
    listed: report.listed,
    ...report.verdicts,
    withJob: report.withJob,
    submitted: report.submitted.length,
    startedAt: report.startedAt satisfies ListMarker | undefined,
    unfinishedAt: report.next satisfies ListMarker | undefined,
  };
  for (const version of report.submitted) {
    telemetry.logger.warn('upload without a job handed to the dispatcher', { ...version });
  }
  telemetry.logger.info('reconcile done', summary);
  return summary;
};
