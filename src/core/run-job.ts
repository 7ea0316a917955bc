import { availableParallelism } from 'node:os';
import { InputError, type RunJobOptions } from './api.js';
import { describeFile } from './describe.js';
import { openInput, throwIfAborted, type ByteSource } from './input.js';
import { parseChunks } from './parse.js';
import { parseOnThread } from './parse-thread.js';
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
  const secondThread = options.parseOnThread ?? availableParallelism() > 1;
  const input = await openInput(source, {
    signal: options.signal,
    // The CSV profile is several times slower than the FASTQ one, so it takes zlib's output in
    // small buffers (see OpenOptions.gunzipChunkBytes).
    gunzipChunkBytes: format === 'csv' ? 64 * 1024 : 1 << 20,
    inflateSync: secondThread && format === 'fastq',
  });
  // A plain FASTQ comes faster than it parses: a thread would cost more than it saves.
  const onThread = options.parseOnThread ?? (secondThread && (format === 'csv' || input.gzip));
  const inputSummary = () => ({
    name: options.name,
    gzip: input.gzip,
    bytes: input.counters.bytes,
    uncompressedBytes: input.counters.uncompressedBytes,
  });
  const parseOptions = { signal: options.signal, verifyCrc32: input.verifyCrc32 };
  const figures = onThread
    ? await parseOnThread(format, input.chunks, parseOptions)
    : await parseChunks(format, input.chunks, parseOptions);
  return { schemaVersion: RESULT_SCHEMA_VERSION, format, input: inputSummary(), ...figures };
}
