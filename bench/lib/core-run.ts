/** What bench/runners/core.ts prints: the core's own time and the figures compared with other tools. */
import type { JobReport } from '../../src/core/index.js';
import { csvCountsOf } from './agreement.js';

export interface CoreRun {
  seconds: number;
  /** Reading from S3: seconds from the request to the first byte of the body. */
  firstByteSeconds?: number;
  bytes: number;
  uncompressedBytes: number;
  gzip: boolean;
  fastq?: { reads: number; bases: number };
  csv?: { rows: number; nullCounts: Record<string, number> };
}

export function summarize(report: JobReport, seconds: number): CoreRun {
  return {
    seconds,
    bytes: report.input.bytes,
    uncompressedBytes: report.input.uncompressedBytes,
    gzip: report.input.gzip,
    ...(report.fastq ? { fastq: { reads: report.fastq.reads, bases: report.fastq.bases } } : {}),
    ...(report.csv ? { csv: csvCountsOf(report.csv) } : {}),
  };
}

/** Parse the runner's JSON line. */
export function parseCoreRun(stdout: string): CoreRun {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as CoreRun;
}
