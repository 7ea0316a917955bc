/** What the parse thread and the thread that starts it say to each other. */
import { MessageChannel, type MessagePort, type ResourceLimits, type Worker } from 'node:worker_threads';
import { InputError, type Format } from './api.js';
import type { Figures } from './parse.js';
import { startThread } from './start-thread.js';

/**
 * Given to the thread as `workerData`: a FASTQ arrives on `port` over a chunk channel
 * (chunk-channel.ts), a CSV's segments as csv-two-threads.ts sends them.
 */
export interface ParseThreadData {
  format: Format;
  port: MessagePort;
}

/** Starts the parse thread for `format`, and returns it with this side's port. */
export function openParseThread(
  format: Format,
  resourceLimits: ResourceLimits,
): { worker: Worker; port: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  const workerData: ParseThreadData = { format, port: port2 };
  const worker = startThread('parse', { workerData, transferList: [port2], resourceLimits });
  return { worker, port: port1 };
}

/** An error as it crosses threads: an `InputError` keeps its class, code and position. */
export interface SerializedError {
  message: string;
  input?: { code: string; line?: number; record?: number };
}

/** The thread's one answer, on its parent port. */
export type ParseThreadMessage =
  { type: 'figures'; figures: Figures } | { type: 'error'; error: SerializedError };

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
