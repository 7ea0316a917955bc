import { InputError, type Format, type RunJobOptions } from '../core/api.js';
import { formatOf, namesGzip, runJob, runJobInSlices, type JobReport } from '../core/index.js';
import type { Route } from '../../contract/routing.js';
import type { JobsTable } from './aws/jobs-table.js';
import type { Objects } from './aws/objects.js';
import type { Job, ResultDocument } from './job.js';
import { resultKeyFor, sharedResultPath } from './keys.js';
import { writeSharedResult } from './shared-drive.js';
import type { Telemetry } from './telemetry.js';

/** What running a job needs: built once per process by the dispatcher or the worker. */
export interface ExecuteDeps {
  jobs: JobsTable;
  objects: Objects;
  sharedMountPath: string;
  telemetry: Telemetry;
  /** Whether the core may use its parse thread (the core's default: when it sees a second CPU). */
  parseOnThread?: boolean;
  /** The clock every time the job records is read from. */
  now: () => Date;
}

/**
 * Runs the job core on the object and publishes the result: `results/<path>.json` in the bucket
 * and the same document on the shared file system. Input errors end the job as FAILED with the
 * core's message; anything else is thrown to the caller (it may be transient).
 */
export async function executeJob(
  job: Job,
  route: Route,
  deps: ExecuteDeps,
  signal?: AbortSignal,
): Promise<Job> {
  const started = deps.now();
  try {
    const { report, lastModified } = await runJobOnObject(deps.objects, job, {
      name: job.key,
      signal,
      parseOnThread: deps.parseOnThread,
    });
    const finished = deps.now();
    const resultKey = resultKeyFor(job.key);
    const document: ResultDocument = {
      job: {
        jobId: job.jobId,
        bucket: job.bucket,
        key: job.key,
        versionId: job.versionId,
        route,
        attempt: job.attempts,
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        sourceLastModified: lastModified.toISOString(),
      },
      report,
    };
    // A newer upload of the same key may have finished first: its result is never overwritten.
    const published = await deps.objects.publishResult(job.bucket, resultKey, document, lastModified);
    if (published) await writeSharedResult(sharedResultPath(deps.sharedMountPath, job.key), document);
    const fields: Partial<Job> = {
      resultKey,
      superseded: published ? undefined : true,
      finishedAt: finished.toISOString(),
      durationMs: document.job.durationMs,
      error: undefined,
      errorCode: undefined,
    };
    await deps.jobs.transition(job.jobId, 'SUCCEEDED', fields, finished);
    deps.telemetry.jobFinished(route, 'SUCCEEDED', document.job.durationMs);
    deps.telemetry.logger.info('job succeeded', {
      jobId: job.jobId,
      route,
      resultKey,
      durationMs: fields.durationMs,
      superseded: !published,
    });
    return { ...job, ...fields, route, status: 'SUCCEEDED' };
  } catch (error) {
    if (error instanceof InputError) {
      const failed = await failJob({ ...job, route }, error, error.code, deps);
      return failed.job;
    }
    throw error;
  }
}

/**
 * Whether an input is worth reading with several connections at once (slices, or parallel ranged
 * GETs): only a plain FASTQ is parsed faster than one S3 connection delivers it. A gzipped or CSV
 * input is consumed at a fraction of that rate (contract/calibration.json), the more so of the
 * bytes stored; more connections would only cost it CPU and memory (BENCHMARKS.md). The kind is
 * the one the routing reads: the name's, or the forced format.
 */
export function readInParallel(name: string, format?: Format): boolean {
  return formatOf(name, format) === 'fastq' && !namesGzip(name);
}

/**
 * Whether an input read from S3 as a stream may be parsed on the core's parse thread where there
 * is a second vCPU (the core's own choice then): a gzipped FASTQ, which the main thread inflates
 * as it arrives, yes; a CSV, no. Received at S3's rate for one connection, a CSV profiled on two
 * threads took as long as on the main thread alone and held 9–58 MiB more (BENCHMARKS.md); the
 * CLI's files, which arrive faster, are still profiled on two. By the name, as the routing reads
 * it, or the forced format.
 */
export function parseOnThreadFromS3(name: string, format?: Format): boolean {
  return formatOf(name, format) !== 'csv';
}

/**
 * The core's report on one version of an object, and that version's LastModified. A plain FASTQ
 * is read in slices where the core can (`runJobInSlices`, `Objects.slices`); anything else, or an
 * input the slices leave to one reading, as one stream (`Objects.open`): with parallel ranged
 * GETs only where `readInParallel` says so.
 */
export async function runJobOnObject(
  objects: Objects,
  object: Pick<Job, 'bucket' | 'key' | 'versionId' | 'size'>,
  options: RunJobOptions,
): Promise<{ report: JobReport; lastModified: Date }> {
  const { bucket, key, versionId, size } = object;
  const parallel = readInParallel(options.name, options.format);
  const slices = parallel ? objects.slices(bucket, key, versionId, size) : undefined;
  if (slices !== undefined) {
    const report = await runJobInSlices(slices, options).catch((error: unknown) => {
      // An archived input: `open` says why it cannot be read.
      if ((error as { name?: string }).name === 'InvalidObjectState') return undefined;
      throw error;
    });
    if (report !== undefined) return { report, lastModified: slices.lastModified };
  }
  // Without its size, `open` reads the object with one GET.
  const input = await objects.open(bucket, key, versionId, {
    signal: options.signal,
    size: parallel ? size : undefined,
  });
  const onThread = parseOnThreadFromS3(options.name, options.format);
  const report = await runJob(input.body, onThread ? options : { ...options, parseOnThread: false });
  return { report, lastModified: input.lastModified };
}

/** Ends the job as FAILED with the reason, for good: nothing retries it. */
export async function failJob(
  job: Job,
  error: Error,
  code: string,
  deps: ExecuteDeps,
): Promise<{ outcome: 'failed'; job: Job }> {
  const now = deps.now();
  const fields: Partial<Job> = { error: error.message, errorCode: code, finishedAt: now.toISOString() };
  await deps.jobs.transition(job.jobId, 'FAILED', fields, now);
  deps.telemetry.jobFinished(job.route ?? 'lambda', 'FAILED');
  deps.telemetry.logger.warn('job failed', { jobId: job.jobId, key: job.key, code, error: error.message });
  return { outcome: 'failed', job: { ...job, ...fields, status: 'FAILED' } };
}
