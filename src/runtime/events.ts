import type { S3EventRecord } from 'aws-lambda';
import { decodeEventKey } from './keys.js';
import type { Invocation, ObjectRef } from './dispatch.js';

/** The record name of `s3:ObjectRestore:Completed`, the other event the dispatcher receives. */
export const RESTORE_COMPLETED_EVENT = 'ObjectRestore:Completed';

/** The object an S3 notification record names, with its key decoded, and what happened to it. */
export function objectRefFromRecord(record: S3EventRecord): ObjectRef {
  return {
    bucket: record.s3.bucket.name,
    key: decodeEventKey(record.s3.object.key),
    versionId: record.s3.object.versionId ?? null,
    event: record.eventName === RESTORE_COMPLETED_EVENT ? 'restored' : 'created',
  };
}

/**
 * The invocation's deadline: an AbortSignal that fires when only `reserveMs` of it is left, so a
 * job that runs longer than predicted stops cleanly and is handed on while there is time to do it.
 */
export function invocationDeadline(
  remainingMs: number,
  reserveMs: number,
  now = Date.now(),
): Invocation & { clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('Lambda time is running out')),
    Math.max(0, remainingMs - reserveMs),
  );
  timer.unref?.();
  return { deadline: controller.signal, endsAt: now + remainingMs, clear: () => clearTimeout(timer) };
}
