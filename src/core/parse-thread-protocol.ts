/** What the parse thread and the thread that starts it say to each other. */
import type { MessagePort } from 'node:worker_threads';
import { InputError, type Format } from './api.js';
import type { ColumnShare } from './csv-table.js';
import type { Figures } from './parse.js';

/** Given to the thread as `workerData`; the input arrives on `port` (chunk-channel.ts). */
export interface ParseThreadData {
  format: Format;
  port: MessagePort;
  /** For a CSV: the columns this thread profiles. */
  share?: ColumnShare;
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
