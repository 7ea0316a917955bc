import { JOBS_TTL_ATTRIBUTE } from '../../contract/names.js';
import { createHash } from 'node:crypto';
import type { Format } from '../core/api.js';
import type { Route, RoutingDecision } from '../../contract/routing.js';
import type { ResultJob } from '../../contract/result-schema.js';

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['SUCCEEDED', 'FAILED'];

/** One item of the jobs table: one job per object version. */
export interface Job {
  jobId: string;
  bucket: string;
  key: string;
  /** `null` when the bucket is not versioned. */
  versionId: string | null;
  size: number;
  format?: Format;
  gzip?: boolean;
  route?: Route;
  routing?: Omit<RoutingDecision, 'route'>;
  status: JobStatus;
  attempts: number;
  error?: string;
  errorCode?: string;
  resultKey?: string;
  taskArn?: string;
  exitCode?: number;
  stoppedReason?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Epoch seconds after which a QUEUED/RUNNING job counts as abandoned and may be claimed again. */
  leaseUntil?: number;
  /** "OPEN" while the job is not finished; puts it in the sparse open-jobs index. */
  open?: 'OPEN';
  /** Set when a newer version of the same key had already published its result. */
  superseded?: boolean;
  /** `expiresAt`: epoch seconds; DynamoDB's TTL removes the item after it. */
  [JOBS_TTL_ATTRIBUTE]: number;
}

/**
 * A job's id is derived from the object version it processes, so a repeated S3 event for the same
 * version maps onto the same item and a conditional write turns the repeat into a no-op.
 */
export function jobIdFor(bucket: string, key: string, versionId: string | null): string {
  return createHash('sha256')
    .update(`${bucket}\n${key}\n${versionId ?? 'null'}`)
    .digest('hex')
    .slice(0, 32);
}

/** The document written to `results/<path>.json` and to the shared file system (contract/result-schema.ts). */
export interface ResultDocument<Report = unknown> {
  job: ResultJob;
  report: Report;
}

/**
 * A result document as it is stored, in the bucket and on the shared drive alike: one line of
 * JSON. Athena's JSON SerDe reads a file as one record per line, so a pretty-printed document
 * would not be one row of the results table.
 */
export function resultDocumentText(document: ResultDocument): string {
  return `${JSON.stringify(document)}\n`;
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
