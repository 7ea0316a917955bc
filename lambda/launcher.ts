import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { launchBatch } from '../src/runtime/launcher.js';
import { createTelemetry } from '../src/runtime/telemetry.js';
import { launcherDepsFromEnv } from '../src/runtime/wiring.js';

const telemetry = createTelemetry('launcher');
const deps = launcherDepsFromEnv(process.env, telemetry);

/**
 * Launch requests from the launch queue → worker tasks. Requests it cannot serve yet are reported
 * as failed items: SQS delivers them again after the backoff the launcher set on each.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  telemetry.logger.addContext(context);
  const outcomes = await launchBatch(
    event.Records.map((record) => ({
      messageId: record.messageId,
      body: record.body,
      receiptHandle: record.receiptHandle,
      receiveCount: Number(record.attributes.ApproximateReceiveCount),
    })),
    deps,
  );
  const counts: Record<string, number> = {};
  for (const outcome of outcomes.values()) counts[outcome] = (counts[outcome] ?? 0) + 1;
  telemetry.logger.info('launch batch done', counts);
  return {
    batchItemFailures: [...outcomes]
      .filter(([, outcome]) => outcome === 'deferred')
      .map(([itemIdentifier]) => ({ itemIdentifier })),
  };
};
