/**
 * The result document, `{ job, report }` (docs/result-schema.md), described once: the job core's
 * and the runtime's types are inferred from it, and the Glue table the stack creates over
 * `results/` and the console's local query engine read their columns from it.
 */
import { json, type Infer } from './json-schema.js';
import { FORMATS, ROUTES } from './routing.js';

/** Bump on any change that could break a reader of the report; additions keep the version. */
export const RESULT_SCHEMA_VERSION = 1 as const;

/** The table the results are queried as: in the Glue database (Athena), and locally (DuckDB). */
export const RESULTS_TABLE = 'results';

export const INPUT_SUMMARY = json.object({
  /** The name the job was given (object key or path). */
  name: json.string(),
  /** True when the bytes start with the gzip magic number (1f 8b). */
  gzip: json.boolean(),
  /** Bytes read from the source (compressed size for gzip). */
  bytes: json.integer(),
  /** Bytes after decompression (equal to `bytes` for plain input). */
  uncompressedBytes: json.integer(),
});

/**
 * Read statistics for FASTQ (Phred+33). Lengths are of the sequence line. Percentages are
 * unrounded (0–100); round for display.
 */
export const FASTQ_STATS = json.object({
  reads: json.integer(),
  /** Sum of read lengths. */
  bases: json.integer(),
  minLength: json.integer(),
  maxLength: json.integer(),
  meanLength: json.number(),
  /** First quartile of read length (median of the lower half, see the schema doc). */
  q1Length: json.number(),
  /** Median read length. */
  medianLength: json.number(),
  /** Third quartile of read length (median of the upper half). */
  q3Length: json.number(),
  /** Largest length L such that reads of length ≥ L hold at least half of all bases. */
  n50: json.integer(),
  /** G+C (any case) over all bases, N and other codes included in the denominator. */
  gcPercent: json.number(),
  /** N (any case) over all bases. */
  nPercent: json.number(),
  /** Gap characters (`-` and `.`) in the sequences; they count in `bases` too (seqkit's sum_gap). */
  gaps: json.integer(),
  /** Bases with Phred quality ≥ 20, over all bases. */
  q20Percent: json.number(),
  /** Bases with Phred quality ≥ 30, over all bases. */
  q30Percent: json.number(),
  /** Arithmetic mean of the per-base Phred scores. */
  meanQuality: json.number(),
});

export const COLUMN_TYPES = ['integer', 'number', 'boolean', 'date', 'string', 'empty'] as const;

export const COLUMN_PROFILE = json.object({
  name: json.string(),
  type: json.oneOf(COLUMN_TYPES),
  /** Values counted as missing: empty or blank, or NA, N/A, NaN, null, None (any case). */
  nullCount: json.integer(),
  /** Distinct non-null values; exact while `distinctExact`, else a HyperLogLog estimate. */
  distinct: json.integer(),
  distinctExact: json.boolean(),
  /** For `integer` and `number` columns: smallest non-null value. */
  min: json.optional(json.number()),
  /** For `integer` and `number` columns: largest non-null value. */
  max: json.optional(json.number()),
  /** For `integer` and `number` columns: mean of the non-null values. */
  mean: json.optional(json.number()),
});

export const CSV_PROFILE = json.object({
  /** Data rows, the header row excluded. */
  rows: json.integer(),
  columns: json.integer(),
  header: json.array(json.string()),
  columnProfiles: json.array(COLUMN_PROFILE),
});

/** What the input says: the statistics, byte-identical whichever route ran the job. */
export const JOB_REPORT = json.object({
  schemaVersion: json.literal(RESULT_SCHEMA_VERSION),
  format: json.oneOf(FORMATS),
  input: INPUT_SUMMARY,
  /** Present when `format` is `fastq`. */
  fastq: json.optional(FASTQ_STATS),
  /** Present when `format` is `csv`. */
  csv: json.optional(CSV_PROFILE),
});

/** How this run of the job went: which object version, which route, when and how long. */
export const RESULT_JOB = json.object({
  jobId: json.string(),
  bucket: json.string(),
  key: json.string(),
  /** `null` when the bucket is not versioned. */
  versionId: json.nullable(json.string()),
  route: json.oneOf(ROUTES),
  attempt: json.integer(),
  startedAt: json.string(),
  finishedAt: json.string(),
  durationMs: json.integer(),
  /** When the input version was uploaded (ISO 8601): orders results of successive versions. */
  sourceLastModified: json.string(),
});

/** The document written to `results/<path>.json` and to the shared file system. */
export const RESULT_DOCUMENT = json.object({ job: RESULT_JOB, report: JOB_REPORT });

export type ResultJob = Infer<typeof RESULT_JOB>;
export type JobReport = Infer<typeof JOB_REPORT>;
