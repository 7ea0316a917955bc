import type { S3Event } from 'aws-lambda';
import { decodeEventKey } from './keys.js';

/**
 * The dispatcher's on-failure destination holds an invocation record for every event whose
 * asynchronous invocations all failed (or that grew older than the maximum event age). Lambda
 * writes it as JSON in the SQS message body:
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 * Resubmitting the record's `requestPayload` to the dispatcher gives the event another run;
 * the message is deleted only once Lambda has accepted it again.
 */

/** A Lambda asynchronous invocation record, as a destination receives it. */
export interface InvocationRecord {
  version: string;
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    /** `RetriesExhausted` or `EventAgeExceeded`. */
    condition: string;
    approximateInvokeCount: number;
  };
  /** The event the function was invoked with. */
  requestPayload: unknown;
  /** Absent when the event expired before it was tried. */
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

export type ParsedRecord =
  { ok: true; record: InvocationRecord; event: S3Event; error?: string } | { ok: false; reason: string };

/** The S3 event in an on-failure message, or why there is none (another function's record, a stray message). */
export function parseOnFailureMessage(body: string): ParsedRecord {
  let record: InvocationRecord;
  try {
    record = JSON.parse(body) as InvocationRecord;
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof record !== 'object' || record === null || typeof record.requestContext !== 'object') {
    return { ok: false, reason: 'not a Lambda invocation record (no requestContext)' };
  }
  const payload = record.requestPayload as Partial<S3Event> | undefined;
  const records = payload?.Records;
  if (
    !Array.isArray(records) ||
    records.length === 0 ||
    !records.every((r) => typeof r?.s3?.object?.key === 'string')
  ) {
    return {
      ok: false,
      reason: `its requestPayload is not an S3 event (from ${record.requestContext.functionArn})`,
    };
  }
  return { ok: true, record, event: payload as S3Event, error: errorOf(record.responsePayload) };
}

function errorOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { errorType, errorMessage } = payload as { errorType?: string; errorMessage?: string };
  return [errorType, errorMessage].filter(Boolean).join(': ') || undefined;
}

/** A message of the on-failure queue, as it was received. */
export interface OnFailureMessage {
  id: string;
  body: string;
  receiptHandle: string;
}

export interface ResubmitDeps {
  /** Up to 10 messages, kept from other receivers for a while; none when the queue is empty. */
  receive(): Promise<OnFailureMessage[]>;
  delete(message: OnFailureMessage): Promise<void>;
  /** Hands the event to the dispatcher (an asynchronous invocation); throws when it is not accepted. */
  submit(event: S3Event): Promise<void>;
}

export type ResubmitOutcome =
  | { outcome: 'resubmitted'; keys: string[]; error?: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'failed'; keys: string[]; reason: string };

export interface ResubmitReport {
  resubmitted: number;
  /** Left in the queue: not an S3 event of the dispatcher's. */
  skipped: number;
  /** Left in the queue: the dispatcher could not be invoked. */
  failed: number;
  messages: ResubmitOutcome[];
}

/**
 * Resubmits every on-failure message's S3 event, deleting each message once the dispatcher has
 * accepted its event. Messages that are not S3 events, or whose resubmission fails, stay queued
 * (hidden until their visibility timeout ends, so one run sees each message once).
 */
export async function resubmitOnFailure(deps: ResubmitDeps, max = 1000): Promise<ResubmitReport> {
  const report: ResubmitReport = { resubmitted: 0, skipped: 0, failed: 0, messages: [] };
  const seen = new Set<string>();
  while (report.messages.length < max) {
    const batch = (await deps.receive()).filter((m) => !seen.has(m.id));
    if (batch.length === 0) break;
    for (const message of batch) {
      seen.add(message.id);
      const outcome = await resubmitOne(message, deps);
      report[outcome.outcome]++;
      report.messages.push(outcome);
    }
  }
  return report;
}

async function resubmitOne(message: OnFailureMessage, deps: ResubmitDeps): Promise<ResubmitOutcome> {
  const parsed = parseOnFailureMessage(message.body);
  if (!parsed.ok) return { outcome: 'skipped', reason: `message ${message.id}: ${parsed.reason}` };
  const keys = parsed.event.Records.map((r) => readableKey(r.s3.object.key));
  try {
    await deps.submit(parsed.event);
  } catch (error) {
    return { outcome: 'failed', keys, reason: error instanceof Error ? error.message : String(error) };
  }
  await deps.delete(message);
  return { outcome: 'resubmitted', keys, error: parsed.error };
}

function readableKey(raw: string): string {
  try {
    return decodeEventKey(raw);
  } catch {
    return raw;
  }
}
