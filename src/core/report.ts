/**
 * The result of a job: a versioned, deterministic JSON document (see docs/result-schema.md).
 *
 * The same input bytes always give a byte-identical report, whichever route (Lambda or Fargate)
 * ran the job: there are no timings, hostnames or dates in it, and every field is computed by
 * the same code in the same order.
 */
import type { Format } from './api.js';

/** Bump on any change that could break a reader of the report; additions keep the version. */
export const RESULT_SCHEMA_VERSION = 1 as const;

export interface JobReport {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  format: Format;
  input: InputSummary;
  /** Present when `format` is `fastq`. */
  fastq?: FastqStats;
  /** Present when `format` is `csv`. */
  csv?: CsvProfile;
}

export interface InputSummary {
  /** The name the job was given (object key or path). */
  name: string;
  /** True when the bytes start with the gzip magic number (1f 8b). */
  gzip: boolean;
  /** Bytes read from the source (compressed size for gzip). */
  bytes: number;
  /** Bytes after decompression (equal to `bytes` for plain input). */
  uncompressedBytes: number;
}

/**
 * Read statistics for FASTQ (Phred+33). Lengths are of the sequence line. Percentages are
 * unrounded (0–100); round for display.
 */
export interface FastqStats {
  reads: number;
  /** Sum of read lengths. */
  bases: number;
  minLength: number;
  maxLength: number;
  meanLength: number;
  /** First quartile of read length (median of the lower half, see the schema doc). */
  q1Length: number;
  /** Median read length. */
  medianLength: number;
  /** Third quartile of read length (median of the upper half). */
  q3Length: number;
  /** Largest length L such that reads of length ≥ L hold at least half of all bases. */
  n50: number;
  /** G+C (any case) over all bases, N and other codes included in the denominator. */
  gcPercent: number;
  /** N (any case) over all bases. */
  nPercent: number;
  /** Gap characters (`-` and `.`) in the sequences; they count in `bases` too (seqkit's sum_gap). */
  gaps: number;
  /** Bases with Phred quality ≥ 20, over all bases. */
  q20Percent: number;
  /** Bases with Phred quality ≥ 30, over all bases. */
  q30Percent: number;
  /** Arithmetic mean of the per-base Phred scores. */
  meanQuality: number;
}

export type ColumnType = 'integer' | 'number' | 'boolean' | 'date' | 'string' | 'empty';

export interface CsvProfile {
  /** Data rows, the header row excluded. */
  rows: number;
  columns: number;
  header: string[];
  columnProfiles: ColumnProfile[];
}

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Values counted as missing: empty or blank, or NA, N/A, NaN, null, None (any case). */
  nullCount: number;
  /** Distinct non-null values; exact while `distinctExact`, else a HyperLogLog estimate. */
  distinct: number;
  distinctExact: boolean;
  /** For `integer` and `number` columns: smallest non-null value. */
  min?: number;
  /** For `integer` and `number` columns: largest non-null value. */
  max?: number;
  /** For `integer` and `number` columns: mean of the non-null values. */
  mean?: number;
}
