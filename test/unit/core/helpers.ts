import { expect } from 'vitest';
import { InputError, runJob, type Format, type JobReport } from '../../../src/core/index.js';
import type { FastqStats } from '../../../src/core/report.js';
import { SEQKIT_STATISTICS, seqkitStatistics } from '../../../src/cli/seqkit-tsv.js';

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

/**
 * Compare with seqkit's columns. Where every read has the same length seqkit prints half that
 * length for Q1 and Q3; we report the length itself (see docs/result-schema.md), so there the
 * expectation is adjusted, and the deviation is asserted rather than ignored.
 */
export function expectSeqkitAgreement(stats: FastqStats, seqkit: Record<string, string>): void {
  const ours = seqkitStatistics(stats);
  const expected: Record<string, string> = {};
  for (const column of SEQKIT_STATISTICS) expected[column] = seqkit[column] as string;
  if (stats.minLength === stats.maxLength) {
    expect(Number(seqkit.Q1)).toBe(stats.minLength / 2);
    expect(Number(seqkit.Q3)).toBe(stats.minLength / 2);
    expected.Q1 = stats.minLength.toFixed(1);
    expected.Q3 = stats.minLength.toFixed(1);
  }
  expect(ours).toEqual(expected);
}
