/** Reading result documents: what kind of report each holds, and the path its input was uploaded at. */
import { INCOMING_PREFIX } from '../../contract/names.js';
import type { CsvProfile, FastqStats, JobReport } from '../core/index.js';
import type { ResultDocument } from '../runtime/job.js';

export type FastqResult = ResultDocument<JobReport & { fastq: FastqStats }>;
export type CsvResult = ResultDocument<JobReport & { csv: CsvProfile }>;

export function isFastqResult(document: ResultDocument<JobReport>): document is FastqResult {
  return document.report.fastq !== undefined;
}

export function isCsvResult(document: ResultDocument<JobReport>): document is CsvResult {
  return document.report.csv !== undefined;
}

/** `incoming/run1/S1.fq.gz` → `run1/S1.fq.gz`: every key has the prefix, so it says nothing. */
export function uploadPath(key: string): string {
  return key.startsWith(INCOMING_PREFIX) ? key.slice(INCOMING_PREFIX.length) : key;
}
