/**
 * The result of a job: a versioned, deterministic JSON document (see docs/result-schema.md).
 *
 * The same input bytes always give a byte-identical report, whichever route (Lambda or Fargate)
 * ran the job: there are no timings, hostnames or dates in it, and every field is computed by
 * the same code in the same order. Its shape is described once, in contract/result-schema.ts.
 */
import type { Infer } from '../../contract/json-schema.js';
import type {
  COLUMN_PROFILE,
  COLUMN_TYPES,
  CSV_PROFILE,
  FASTQ_STATS,
  INPUT_SUMMARY,
  JobReport,
} from '../../contract/result-schema.js';

export { RESULT_SCHEMA_VERSION } from '../../contract/result-schema.js';
export type { JobReport };
export type InputSummary = Infer<typeof INPUT_SUMMARY>;
export type FastqStats = Infer<typeof FASTQ_STATS>;
export type ColumnType = (typeof COLUMN_TYPES)[number];
export type CsvProfile = Infer<typeof CSV_PROFILE>;
export type ColumnProfile = Infer<typeof COLUMN_PROFILE>;
