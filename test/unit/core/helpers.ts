import { expect } from 'vitest';
import { InputError, runJob, type Format, type JobReport } from '../../../src/core/index.js';
import type { FastqStats } from '../../../src/core/report.js';
import { SEQKIT_COLUMNS, type SeqkitColumn } from '../../support/seqkit.js';

export { SEQKIT_COLUMNS, type SeqkitColumn };

/** Yield `data` in pieces of `size` bytes (or of the sizes in turn, when given a list). */
export async function* chunked(
  data: Uint8Array,
  size: number | readonly number[] = 1 << 20,
): AsyncGenerator<Uint8Array> {
  const sizes = typeof size === 'number' ? [size] : size;
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const step = sizes[i % sizes.length] as number;
    yield data.subarray(at, at + step);
    at += step;
  }
}

/** Run the core over an in-memory input. */
export function runOn(
  data: string | Uint8Array,
  name: string,
  options: { format?: Format; chunkSize?: number | readonly number[] } = {},
): Promise<JobReport> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  return runJob(chunked(bytes, options.chunkSize), {
    name,
    ...(options.format ? { format: options.format } : {}),
  });
}

/** FASTQ stats of an in-memory input; fails the test if the report has none. */
export async function fastqStatsOf(
  data: string | Uint8Array,
  options: { chunkSize?: number | readonly number[] } = {},
): Promise<FastqStats> {
  const report = await runOn(data, 'input.fq', options);
  if (report.fastq === undefined) throw new Error('no FASTQ stats in the report');
  return report.fastq;
}

/** Expect `promise` to reject with an InputError with this code, and line/record when given. */
export async function expectInputError(
  promise: Promise<unknown>,
  expected: { code: string; line?: number; record?: number; message?: RegExp },
): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  const inputError = error as InputError;
  expect(inputError.code).toBe(expected.code);
  if ('line' in expected) expect(inputError.line).toBe(expected.line);
  if ('record' in expected) expect(inputError.record).toBe(expected.record);
  if (expected.message) expect(inputError.message).toMatch(expected.message);
  return inputError;
}

/** seqkit's rounding (shenwei356/util math.Round: add half a unit, then truncate) and printing. */
export function seqkitFixed(value: number, digits: number): string {
  const scale = 10 ** digits;
  return (Math.trunc((value + 0.5 / scale) * scale) / scale).toFixed(digits);
}

/** Our statistics printed the way `seqkit stats -a -T` prints its columns. */
export function asSeqkitColumns(stats: FastqStats): Record<SeqkitColumn, string> {
  return {
    num_seqs: String(stats.reads),
    sum_len: String(stats.bases),
    min_len: String(stats.minLength),
    avg_len: seqkitFixed(stats.meanLength, 1),
    max_len: String(stats.maxLength),
    Q1: stats.q1Length.toFixed(1),
    Q2: stats.medianLength.toFixed(1),
    Q3: stats.q3Length.toFixed(1),
    N50: String(stats.n50),
    'Q20(%)': seqkitFixed(stats.q20Percent, 2),
    'Q30(%)': seqkitFixed(stats.q30Percent, 2),
    'GC(%)': seqkitFixed(stats.gcPercent, 2),
  };
}

/**
 * Compare with seqkit's columns. Where every read has the same length seqkit prints half that
 * length for Q1 and Q3; we report the length itself (see docs/result-schema.md), so there the
 * expectation is adjusted, and the deviation is asserted rather than ignored.
 */
export function expectSeqkitAgreement(stats: FastqStats, seqkit: Record<string, string>): void {
  const ours = asSeqkitColumns(stats);
  const expected: Record<string, string> = {};
  for (const column of SEQKIT_COLUMNS) expected[column] = seqkit[column] as string;
  if (stats.minLength === stats.maxLength) {
    expect(Number(seqkit.Q1)).toBe(stats.minLength / 2);
    expect(Number(seqkit.Q3)).toBe(stats.minLength / 2);
    expected.Q1 = stats.minLength.toFixed(1);
    expected.Q3 = stats.minLength.toFixed(1);
  }
  expect(ours).toEqual(expected);
}
