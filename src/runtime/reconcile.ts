import type { S3Event } from 'aws-lambda';
import { INCOMING_PREFIX } from '../../contract/names.js';
import { jobIdFor } from './job.js';
import type { RESTORE_COMPLETED_EVENT } from './events.js';
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
  /** Which of `jobIds` have a job item (one batched look-up per page, not one call per version). */
  jobsFound(jobIds: string[]): Promise<Set<string>>;
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
 * `pipeline restore` sends the `ObjectRestore:Completed` of a restore whose own event was lost.
 */
export function objectCreatedEvent(
  bucket: string,
  region: string,
  version: ListedVersion,
  eventName: 'ObjectCreated:Put' | typeof RESTORE_COMPLETED_EVENT = 'ObjectCreated:Put',
): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: version.lastModified.toISOString(),
        eventName,
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
const RECONCILER_PRINCIPAL = 's3-pipeline-reconciler';

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
    const verdicts = page.versions.map((version) => verdictFor(version, now, limits));
    const idOf = (version: ListedVersion) => jobIdFor(deps.bucket, version.key, version.versionId);
    const found = await deps.jobsFound(
      page.versions.filter((_, index) => verdicts[index] === 'candidate').map(idOf),
    );
    for (const [index, version] of page.versions.entries()) {
      if (report.submitted.length >= limits.maxSubmitted) {
        // Start the next run at this version: the markers name the last version already seen.
        const previous = index > 0 ? page.versions[index - 1] : undefined;
        report.next = previous ? markerAfter(previous) : from;
        return report;
      }
      report.listed++;
      const verdict = verdicts[index]!;
      report.verdicts[verdict]++;
      if (verdict !== 'candidate') continue;
      if (found.has(idOf(version))) {
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

/**
 * Where the scheduled runs have got to in the listing, kept between runs. A run that stops early
 * (out of time, or at its limit of events) leaves its marker, and the next one starts there
 * instead of at the top of `incoming/`, so a listing longer than one run still reaches its end.
 */
export interface ReconcileCursor {
  /** The marker the last run left; absent when it finished its listing (or none ran yet). */
  read(): Promise<ListMarker | undefined>;
  write(next: ListMarker | undefined): Promise<void>;
}

/** A scheduled run: goes on from where the last run stopped, and leaves the cursor where it stops. */
export async function reconcileFromCursor(
  deps: ReconcileDeps,
  cursor: ReconcileCursor,
  limits: Omit<ReconcileLimits, 'from'>,
): Promise<ReconcileReport & { startedAt?: ListMarker }> {
  const startedAt = await cursor.read();
  const report = await reconcile(deps, { ...limits, from: startedAt });
  if (!sameMarker(startedAt, report.next)) await cursor.write(report.next);
  return { ...report, startedAt };
}

function sameMarker(a: ListMarker | undefined, b: ListMarker | undefined): boolean {
  return a?.keyMarker === b?.keyMarker && a?.versionIdMarker === b?.versionIdMarker;
}

function markerAfter(version: ListedVersion): ListMarker {
  return { keyMarker: version.key, versionIdMarker: version.versionId ?? 'null' };
}

/** What the cursor object holds: the marker to go on from, `null` once a listing was finished. */
export interface ReconcileCursorDocument {
  next: ListMarker | null;
  writtenAt: string;
}

export function cursorDocument(next: ListMarker | undefined, now: Date): ReconcileCursorDocument {
  return { next: next ?? null, writtenAt: now.toISOString() };
}

/**
 * The marker in a cursor object's text. Anything else than a `ReconcileCursorDocument` is an
 * error: the caller starts from the top, which costs a longer listing and loses nothing.
 */
export function markerFromCursor(text: string): ListMarker | undefined {
  const document = JSON.parse(text) as Partial<Record<keyof ReconcileCursorDocument, unknown>> | null;
  if (typeof document !== 'object' || document === null || !('next' in document)) {
    throw new Error('not a reconcile cursor: no "next"');
  }
  const next = document.next as Partial<Record<keyof ListMarker, unknown>> | null;
  if (next === null) return undefined;
  const { keyMarker, versionIdMarker } = typeof next === 'object' ? next : {};
  if (typeof keyMarker !== 'string' || !['string', 'undefined'].includes(typeof versionIdMarker)) {
    throw new Error(`not a reconcile cursor: "next" is ${JSON.stringify(next)}`);
  }
  return typeof versionIdMarker === 'string' ? { keyMarker, versionIdMarker } : { keyMarker };
}
