/** What the parse thread and the thread that starts it say to each other. */
import { MessageChannel, type MessagePort, type ResourceLimits, type Worker } from 'node:worker_threads';
import { InputError, JobAbortedError, type Format } from './api.js';
import type { SliceCounts } from './fastq-slices.js';
import type { ByteRange } from './file-source.js';
import type { Figures } from './parse.js';
import { startThread } from './start-thread.js';

/**
 * Given to the thread as `workerData`: a FASTQ arrives on `port` over a chunk channel
 * (chunk-channel.ts), a CSV's segments as csv-two-threads.ts sends them.
 */
export interface ParseThreadData extends ParseThreadOptions {
  format: Format;
  port: MessagePort;
}

export interface ParseThreadOptions {
  /** Compute the CRC-32 of the input and answer with it (a FASTQ only). */
  crc32?: boolean;
  /**
   * Read this part of a plain FASTQ file and answer with the parser's counts (fastq-file-slices.ts)
   * instead of reading from `port`; `end` is the file's when it is the last slice.
   */
  file?: FileSlice;
}

/** Part of a FASTQ file, read and parsed by the parse thread itself. */
export interface FileSlice extends ByteRange {
  path: string;
  /** It ends where the file does: its end is checked as an input's end. */
  toEnd: boolean;
}

/** Starts the parse thread for `format`, and returns it with this side's port. */
export function openParseThread(
  format: Format,
  resourceLimits: ResourceLimits,
  options: ParseThreadOptions = {},
): { worker: Worker; port: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  const workerData: ParseThreadData = { format, port: port2, ...options };
  const worker = startThread('parse', { workerData, transferList: [port2], resourceLimits });
  return { worker, port: port1 };
}

/**
 * The thread's one answer on its parent port. It fails if the thread fails or stops without one,
 * and with `JobAbortedError` when `signal` aborts; `dispose` stops listening to the signal.
 */
export function answerOf(
  worker: Worker,
  signal: AbortSignal | undefined,
): { answer: Promise<ParseThreadMessage>; dispose(): void } {
  let onAbort: (() => void) | undefined;
  const answer = new Promise<ParseThreadMessage>((resolve, reject) => {
    worker.on('message', resolve);
    worker.on('error', (error) => reject(new Error(`parse thread failed: ${error.message}`)));
    worker.on('exit', (code) =>
      reject(new Error(`parse thread stopped without an answer (exit code ${code})`)),
    );
    onAbort = () => reject(new JobAbortedError('job aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  return { answer, dispose: () => onAbort && signal?.removeEventListener('abort', onAbort) };
}

/** An error as it crosses threads: an `InputError` keeps its class, code and position. */
export interface SerializedError {
  message: string;
  input?: { code: string; line?: number; record?: number };
}

/**
 * The thread's one answer, on its parent port; with the input's CRC-32 when it was asked for and
 * the whole input was read (an error of the parser's last step, say a truncated record, comes
 * with it: a corrupt input is reported as corrupt, as zlib reports it before the parser ends).
 */
export type ParseThreadMessage = (
  | { type: 'figures'; figures: Figures }
  | { type: 'fastq-counts'; counts: SliceCounts }
  | { type: 'error'; error: SerializedError }
) & { crc32?: number };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof InputError) {
    return { message: error.message, input: { code: error.code, line: error.line, record: error.record } };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

export function deserializeError(error: SerializedError): Error {
  if (error.input === undefined) return new Error(`parse thread: ${error.message}`);
  const { code, line, record } = error.input;
  return new InputError(error.message, code, line, record);
}
