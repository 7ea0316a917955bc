/** The job core: plain TypeScript, no AWS or CDK, shared by the Lambda, the worker and the CLI. */
export { InputError, JobAbortedError, type FileKind, type Format, type RunJobOptions } from './api.js';
export { describeFile, formatOf, namesGzip } from './describe.js';
export { runJob, runJobInSlices, runJobOnFile } from './run-job.js';
export { countFastq, type SliceCounts, type SlicesSource } from './fastq-slices.js';
export { fileChunks, FILE_CHUNK_BYTES, stdinChunks, type ByteRange } from './file-source.js';
export type { ByteSource } from './input.js';
export {
  RESULT_SCHEMA_VERSION,
  type ColumnProfile,
  type ColumnType,
  type CsvProfile,
  type FastqStats,
  type InputSummary,
  type JobReport,
} from './report.js';
export { MAX_LINE_BYTES } from './fastq.js';
export { MAX_RECORD_CHARS, MAX_HEADER_CHARS, MAX_COLUMNS, DISTINCT_EXACT_CAP } from './csv.js';
