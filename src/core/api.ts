/**
 * The job core's public surface. Everything here is plain TypeScript: no AWS, no CDK. The
 * dispatcher Lambda, the Fargate worker, the CLI and the tests all call `runJob` the same way,
 * so a file gives the same report whichever way it is routed.
 */

import type { Format } from '../../contract/routing.js';

export type { Format };

/** What a key's name says about the file (the core still checks the bytes). */
export interface FileKind {
  format: Format;
  /** True when the name ends in `.gz`; the core detects gzip by magic bytes regardless. */
  gzip: boolean;
}

export interface RunJobOptions {
  /** Name of the input (object key or path); used for format detection and in the report. */
  name: string;
  /** Force a format instead of detecting it from the name. */
  format?: Format;
  /** Aborting stops the job between chunks with a `JobAbortedError` (used to hand a job to ECS). */
  signal?: AbortSignal;
  /**
   * Use a parse thread (parse-thread.ts): a FASTQ is parsed there while this thread reads and
   * inflates it; a CSV is profiled on both threads, half the records each. It pays off only when
   * a second CPU is free for it (not, for instance, on a Lambda function with one vCPU), and for
   * a FASTQ only when getting the bytes costs CPU: inflating gzip. A plain FASTQ stream, read
   * from a file or from S3, comes faster than it parses, and the hand-over would cost more than
   * it saves; a plain FASTQ file given to `runJobOnFile` (or an S3 object, by the runtime) is read
   * in slices instead (`runJobInSlices`, fastq-slices.ts).
   * @default true when `os.availableParallelism()` is more than 1, except for a plain FASTQ stream
   */
  parseOnThread?: boolean;
}

/** A failure caused by the input itself: permanent, never worth a retry. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    /** Stable machine-readable reason, e.g. `FASTQ_BAD_HEADER`, `GZIP_CORRUPT`, `CSV_RAGGED_ROW`. */
    readonly code: string,
    /** 1-based line number where the problem was found, when known. */
    readonly line?: number,
    /** 1-based record (read or row) number where the problem was found, when known. */
    readonly record?: number,
  ) {
    super(message);
  }
}

/** Thrown when `signal` aborts the job. */
export class JobAbortedError extends Error {
  override readonly name = 'JobAbortedError';
}
