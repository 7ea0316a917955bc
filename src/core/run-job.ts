import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { InputError, type Format, type RunJobOptions } from './api.js';
import { describeFile, formatOf } from './describe.js';
import { fileSlices } from './fastq-file-slices.js';
import { fastqInSlices, type SlicesSource } from './fastq-slices.js';
import { fileChunks } from './file-source.js';
import { openInput, throwIfAborted, type ByteSource } from './input.js';
import { parseChunks, type Figures } from './parse.js';
import { parseOnThread } from './parse-thread.js';
import { RESULT_SCHEMA_VERSION, type InputSummary, type JobReport } from './report.js';

/** A plain FASTQ smaller than this is read on one thread: a thread's start would cost more than it saves. */
const SLICES_MIN_BYTES = 16 << 20;

/**
 * Run a job over a byte source (plain or gzip, detected by magic bytes) and return its report.
 *
 * Streams in constant memory. Throws `InputError` when the input itself is at fault (never
 * worth a retry) and `JobAbortedError` when `options.signal` aborts; any other error is an
 * infrastructure failure (e.g. the source stream broke).
 */
export async function runJob(source: ByteSource, options: RunJobOptions): Promise<JobReport> {
  throwIfAborted(options.signal);
  const format = formatOrFail(options);
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
 * `runJob` over an input that can be read from any offset, read in slices (fastq-slices.ts: each
 * slice read and parsed by a parser of its own, on the thread the source chooses, which a stream
 * cannot do). Undefined where it must be read as a stream instead: no second CPU is free and the
 * source's slices do not pay without one (`paysOnOneCpu`), it is not a plain FASTQ of at least
 * 16 MiB, or the slices cannot be trusted (a record cut out of step, an error: the stream then
 * gives the error one reading names).
 */
export async function runJobInSlices(
  source: SlicesSource,
  options: RunJobOptions,
): Promise<JobReport | undefined> {
  throwIfAborted(options.signal);
  const format = formatOrFail(options);
  const secondThread = options.parseOnThread ?? availableParallelism() > 1;
  // A name ending in .gz is gzip (a misnamed one fails the first slice at its first byte).
  const gzipName = describeFile(options.name)?.gzip ?? false;
  if (!(secondThread || source.paysOnOneCpu)) return undefined;
  if (format !== 'fastq' || gzipName || source.size < SLICES_MIN_BYTES) return undefined;
  const fastq = await fastqInSlices(source, options.signal);
  if (fastq === undefined) return undefined;
  const { size } = source;
  return report(format, { name: options.name, gzip: false, bytes: size, uncompressedBytes: size }, { fastq });
}

/** `runJob` over the local file at `path`: in two slices where `runJobInSlices` can, else as a stream. */
export async function runJobOnFile(path: string, options: RunJobOptions): Promise<JobReport> {
  const file = await stat(path);
  const sliced = file.isFile() ? await runJobInSlices(fileSlices(path, file.size), options) : undefined;
  return sliced ?? runJob(fileChunks(path), options);
}

function formatOrFail(options: RunJobOptions): Format {
  const format = formatOf(options.name, options.format);
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
