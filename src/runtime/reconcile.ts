import type { S3Event } from 'aws-lambda';
import { INCOMING_PREFIX } from '../../contract/names.js';
import { jobIdFor } from './job.js';
import { isIncomingKey } from './keys.js';

/**
 * Reconciling: every object version under `incoming/` is owed one job. S3 delivers its events at
 * least once in almost every case, but not always, and an event whose invocations all failed sits
 * in the on-failure queue; either way an upload can be left without a job item. A reconcile lists
 * the versions, and hands each one old enough to have had its event and still without a job to
 * the dispatcher as an S3 event of its own, so the dispatcher's one path (its claim, its retries,
 * its on-failure destination) does the rest. A repeat is harmless: the claim makes it a duplicate.
 */

/** One version of an object, as a listing names it (delete markers are not listed). */
export interface ListedVersion {
  key: string;
  /** `null` for an object written while the bucket was not versioned. */
  versionId: string | null;
  lastModified: Date;
  size: number;
}

/** Where a listing goes on: S3's key and version-id markers. */
export interface ListMarker {
  keyMarker: string;
  versionIdMarker?: string;
}

export interface ListedPage {
  versions: ListedVersion[];
  /** Absent when the listing is complete. */
  next?: ListMarker;
}

export interface ReconcileDeps {
  bucket: string;
  /** AWS region of the bucket, written into the events handed on. */
  region: string;
  /** One page of the versions under `prefix`, from `from` on. */
  listVersions(prefix: string, from?: ListMarker): Promise<ListedPage>;
  hasJob(jobId: string): Promise<boolean>;
  /** Hands one S3 event to the dispatcher (an asynchronous invocation). */
  submit(event: S3Event): Promise<void>;
  now?: () => Date;
}

export interface ReconcileLimits {
  /** A version younger than this may still have its event on the way, and is left alone. */
  graceSeconds: number;
  /**
   * A version older than this is not looked at: its job item may have expired (the table's TTL)
   * and it must not run again.
   */
  lookbackSeconds: number;
  /** Events handed on in one run at most; the rest waits for the next run. */
  maxSubmitted: number;
  /** Listing stops once this is true (a Lambda running short of time); the run then reports where. */
  outOfTime?: () => boolean;
  /** Where to start listing. @default the beginning of `incoming/` */
  from?: ListMarker;
}

/** Why a listed version was or was not handed to the dispatcher. */
export type VersionVerdict = 'not-an-input' | 'too-recent' | 'too-old' | 'candidate';

export interface ReconcileReport {
  listed: number;
  /** Versions counted by verdict; a `candidate` then either had a job or was submitted. */
  verdicts: Record<VersionVerdict, number>;
  withJob: number;
  submitted: ListedVersion[];
  /** Where the next run should start; absent when the listing was completed. */
  next?: ListMarker;
}

/** Which versions are owed a check: inputs old enough to have had their event, young enough to still have their job item. */
export function verdictFor(
  version: ListedVersion,
  now: Date,
  limits: Pick<ReconcileLimits, 'graceSeconds' | 'lookbackSeconds'>,
): VersionVerdict {
  if (!isIncomingKey(version.key)) return 'not-an-input';
  const ageSeconds = (now.getTime() - version.lastModified.getTime()) / 1000;
  if (ageSeconds < limits.graceSeconds) return 'too-recent';
  if (ageSeconds > limits.lookbackSeconds) return 'too-old';
  return 'candidate';
}

/**
 * The S3 event S3 would have sent for the version: the key URL-encoded with `+` for a space, as
 * S3 writes it (the dispatcher decodes it once, at the edge). The names say where it came from.
 */
export function objectCreatedEvent(bucket: string, region: string, version: ListedVersion): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: version.lastModified.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: RECONCILER_PRINCIPAL },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': RECONCILER_PRINCIPAL, 'x-amz-id-2': RECONCILER_PRINCIPAL },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: RECONCILER_PRINCIPAL,
          bucket: {
            name: bucket,
            ownerIdentity: { principalId: RECONCILER_PRINCIPAL },
            arn: `arn:aws:s3:::${bucket}`,
          },
          object: {
            key: encodeEventKey(version.key),
            size: version.size,
            eTag: '',
            ...(version.versionId === null ? {} : { versionId: version.versionId }),
            sequencer: '',
          },
        },
      },
    ],
  };
}

/** Marks the events a reconcile hands on, where an event names who caused it. */
export const RECONCILER_PRINCIPAL = 's3-pipeline-reconciler';

/** The reverse of `decodeEventKey`: what S3 writes in an event (`+` for a space, `/` kept). */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/** One reconcile run: lists, checks and hands on, within `limits`. */
export async function reconcile(deps: ReconcileDeps, limits: ReconcileLimits): Promise<ReconcileReport> {
  const now = (deps.now ?? (() => new Date()))();
  const report: ReconcileReport = {
    listed: 0,
    verdicts: { 'not-an-input': 0, 'too-recent': 0, 'too-old': 0, candidate: 0 },
    withJob: 0,
    submitted: [],
  };
  let from = limits.from;
  for (;;) {
    const page = await deps.listVersions(INCOMING_PREFIX, from);
    for (const [index, version] of page.versions.entries()) {
      if (report.submitted.length >= limits.maxSubmitted) {
        // Start the next run at this version: the markers name the last version already seen.
        const previous = index > 0 ? page.versions[index - 1] : undefined;
        report.next = previous ? markerAfter(previous) : from;
        return report;
      }
      report.listed++;
      const verdict = verdictFor(version, now, limits);
      report.verdicts[verdict]++;
      if (verdict !== 'candidate') continue;
      if (await deps.hasJob(jobIdFor(deps.bucket, version.key, version.versionId))) {
        report.withJob++;
        continue;
      }
      await deps.submit(objectCreatedEvent(deps.bucket, deps.region, version));
      report.submitted.push(version);
    }
    if (!page.next) return report;
    from = page.next;
    if (limits.outOfTime?.()) {
      report.next = from;
      return report;
    }
  }
}

function markerAfter(version: ListedVersion): ListMarker {
  return { keyMarker: version.key, versionIdMarker: version.versionId ?? 'null' };
}
