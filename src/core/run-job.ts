import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { InputError, type Format, type RunJobOptions } from './api.js';
import { describeFile } from './describe.js';
import { fastqFileInHalves } from './fastq-file-halves.js';
import { fileChunks } from './file-source.js';
import { openInput, throwIfAborted, type ByteSource } from './input.js';
import { parseChunks, type Figures } from './parse.js';
import { parseOnThread } from './parse-thread.js';
import { RESULT_SCHEMA_VERSION, type InputSummary, type JobReport } from './report.js';

/** A plain FASTQ file smaller than this is read on one thread: a thread's start would cost more than it saves. */
const HALVES_MIN_BYTES = 16 << 20;

/**
 * Run a job over a byte source (plain or gzip, detected by magic bytes) and return its report.
 *
 * Streams in constant memory. Throws `InputError` when the input itself is at fault (never
 * worth a retry) and `JobAbortedError` when `options.signal` aborts; any other error is an
 * infrastructure failure (e.g. the source stream broke).
 */
export async function runJob(source: ByteSource, options: RunJobOptions): Promise<JobReport> {
  throwIfAborted(options.signal);
  const format = formatOf(options);
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
  const parseOptions = { signal: options.signal, verifyCrc32: input.verifyCrc32 };
  const figures = onThread
    ? await parseOnThread(format, input.chunks, parseOptions)
    : await parseChunks(format, input.chunks, parseOptions);
  const { bytes, uncompressedBytes } = input.counters;
  return report(format, { name: options.name, gzip: input.gzip, bytes, uncompressedBytes }, figures);
}

/**
 * `runJob` over the local file at `path`. A plain FASTQ file is read in two halves on two threads
 * where a second CPU is free (fastq-file-halves.ts: each thread reads its own half, which a stream
 * cannot do); anything else as a stream (`fileChunks`).
 */
export async function runJobOnFile(path: string, options: RunJobOptions): Promise<JobReport> {
  throwIfAborted(options.signal);
  const format = formatOf(options);
  const secondThread = options.parseOnThread ?? availableParallelism() > 1;
  if (secondThread && format === 'fastq') {
    const file = await stat(path);
    if (file.isFile() && file.size >= HALVES_MIN_BYTES) {
      const fastq = await fastqFileInHalves(path, file.size, options.signal);
      const input = { name: options.name, gzip: false, bytes: file.size, uncompressedBytes: file.size };
      if (fastq !== undefined) return report(format, input, { fastq });
    }
  }
  return runJob(fileChunks(path), options);
}

function formatOf(options: RunJobOptions): Format {
  const format = options.format ?? describeFile(options.name)?.format;
  if (format === undefined) {
    throw new InputError(
      `cannot tell the format of "${options.name}": expected a name ending in .fastq, .fq or .csv (optionally .gz)`,
      'UNKNOWN_FORMAT',
    );
  }
  return format;
}

function report(format: Format, input: InputSummary, figures: Figures): JobReport {
  return { schemaVersion: RESULT_SCHEMA_VERSION, format, input, ...figures };
}
