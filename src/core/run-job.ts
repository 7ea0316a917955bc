import { availableParallelism } from 'node:os';
import { InputError, type RunJobOptions } from './api.js';
import { profileCsv } from './csv.js';
import { describeFile } from './describe.js';
import { FastqParser } from './fastq.js';
import { openInput, throwIfAborted, type ByteSource } from './input.js';
import { RESULT_SCHEMA_VERSION, type JobReport } from './report.js';

/**
 * Run a job over a byte source (plain or gzip, detected by magic bytes) and return its report.
 *
 * Streams in constant memory. Throws `InputError` when the input itself is at fault (never
 * worth a retry) and `JobAbortedError` when `options.signal` aborts; any other error is an
 * infrastructure failure (e.g. the source stream broke).
 */
export async function runJob(source: ByteSource, options: RunJobOptions): Promise<JobReport> {
  throwIfAborted(options.signal);
  const format = options.format ?? describeFile(options.name)?.format;
  if (format === undefined) {
    throw new InputError(
      `cannot tell the format of "${options.name}": expected a name ending in .fastq, .fq or .csv (optionally .gz)`,
      'UNKNOWN_FORMAT',
    );
  }
  // The CSV profile is several times slower than the FASTQ one, so it takes zlib's output in
  // small buffers (see OpenOptions.gunzipChunkBytes), and on this thread: inflating is a small
  // part of its work, and a worker would add its own memory to the profile's.
  const input = await openInput(source, {
    signal: options.signal,
    gunzipChunkBytes: format === 'csv' ? 64 * 1024 : 1 << 20,
    gunzipOnWorker: options.gunzipOnWorker ?? (format === 'fastq' && availableParallelism() > 1),
  });
  const inputSummary = () => ({
    name: options.name,
    gzip: input.gzip,
    bytes: input.counters.bytes,
    uncompressedBytes: input.counters.uncompressedBytes,
  });

  if (format === 'fastq') {
    const parser = new FastqParser();
    for await (const chunk of input.chunks) {
      throwIfAborted(options.signal);
      parser.push(chunk);
    }
    const fastq = parser.finish();
    return { schemaVersion: RESULT_SCHEMA_VERSION, format, input: inputSummary(), fastq };
  }
  const csv = await profileCsv(input.chunks, options.signal);
  return { schemaVersion: RESULT_SCHEMA_VERSION, format, input: inputSummary(), csv };
}
