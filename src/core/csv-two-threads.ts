/**
 * A CSV profiled on two threads, each reading half the records: this thread cuts the input into
 * segments of whole records (csv-segments.ts) and profiles every other one, the parse thread the
 * others (`serveCsvSegments`), each into a table profiler of its own; the two are merged at the
 * end into the profile one thread would have made.
 *
 * Errors are the ones a reading from the start gives: a segment is read before the rows and lines
 * of the segments before it are known, so the first segment that fails is read again, placed
 * where it is, once they are. A segment that grows past `maxSegmentBytes` without a line end
 * outside quotes (a record that long, or a quote never closed) ends the split: the rest of the
 * input is read here as it streams.
 */
import type { MessagePort } from 'node:worker_threads';
import { JobAbortedError } from './api.js';
import { CsvPartReader, profileCsvPart, type CsvPart } from './csv.js';
import type { Newline } from './csv-rfc4180.js';
import { RecordSegmenter } from './csv-segments.js';
import { TableProfiler, type TableState } from './csv-table.js';
import { throwIfAborted } from './input.js';
import {
  deserializeError,
  serializeError,
  openParseThread,
  type SerializedError,
} from './parse-thread-protocol.js';
import type { CsvProfile } from './report.js';

/** How the input is cut (tests cut small inputs into many segments, and watch where they go). */
export interface SegmentOptions {
  /**
   * Least size of a segment: large enough that a segment's own costs (a message, a parser) do
   * not count, small enough that the two threads finish close together. @default 1 MiB
   */
  segmentBytes: number;
  /** A segment this long that has not ended ends the split (a segment is held whole). @default 16 MiB */
  maxSegmentBytes: number;
  /** Told where each segment is read. */
  onSegment?: (index: number, where: 'here' | 'thread') => void;
}

const SEGMENT_OPTIONS: SegmentOptions = { segmentBytes: 1 << 20, maxSegmentBytes: 16 << 20 };
/**
 * Segments away at the parse thread before this thread waits: with 2, this thread waited
 * 0.1–0.3 s in all for room on the bench's CSV; with 4, 2–3 ms.
 */
const WINDOW = 4;
/**
 * The CSV profile allocates a string per field: with a young generation of 8 MiB its thread runs
 * as fast as with the default and holds 10 MiB (Node 20) to 25 MiB (Node 24) less.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 8 };

/** To the parse thread. */
type ToThread =
  | { type: 'start'; header: string[]; newline: Newline }
  | { type: 'segment'; index: number; buffer: ArrayBuffer; length: number }
  | { type: 'end' };
/** From the parse thread: a segment's rows and line ends, with its buffer back; or its failure; or, at the end, its table. */
type FromThread =
  | { type: 'profiled'; index: number; rows: number; lines: number; buffer: ArrayBuffer }
  | { type: 'failed'; index: number; error: SerializedError; buffer: ArrayBuffer; length: number }
  | { type: 'table'; table: TableState };

/** A segment whose reading failed: its error as first read, and its bytes to read it again. */
interface Failure {
  index: number;
  error: Error;
  bytes: Uint8Array;
}

/** Rows and line ends of a segment read without error. */
interface Counts {
  rows: number;
  lines: number;
}

/**
 * The profile of a CSV (`chunks` uncompressed, each valid until the next is asked for), read on
 * this thread and a parse thread. Fails as `profileCsv` would, and with `JobAbortedError` when
 * `signal` aborts; either way the reading of `chunks` stops.
 */
export async function profileCsvOnTwoThreads(
  chunks: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
  options: SegmentOptions = SEGMENT_OPTIONS,
): Promise<CsvProfile> {
  const segmenter = new RecordSegmenter(options.segmentBytes);
  const table = new TableProfiler();
  /** Each segment's counts once read, and their totals. */
  const counts: Counts[] = [];
  const counted: Counts = { rows: 0, lines: 0 };
  const count = (index: number, segment: Counts): void => {
    counts[index] = { rows: segment.rows, lines: segment.lines };
    counted.rows += segment.rows;
    counted.lines += segment.lines;
  };
  let newline: Newline | undefined;
  let next = 0;
  /** Index of the first segment the thread was given: those before were all read here, in order. */
  let firstAway = Number.POSITIVE_INFINITY;
  let thread: ProfileThread | undefined;
  let failure: Failure | undefined;

  /** Segments read here are placed as well as is known: exactly, before any went to the thread. */
  const placeHere = (): CsvPart | undefined =>
    next === 0
      ? undefined
      : { newline: newline as Newline, linesBefore: counted.lines, rowsBefore: counted.rows };

  const readHere = (bytes: Uint8Array): void => {
    const index = next;
    options.onSegment?.(index, 'here');
    try {
      const part = profileCsvPart(bytes, table, placeHere(), signal);
      newline ??= part.newline;
      count(index, part);
      segmenter.recycle(bytes.buffer as ArrayBuffer);
    } catch (error) {
      if (error instanceof JobAbortedError) throw error;
      failure = { index, error: error as Error, bytes };
    }
    next++;
  };

  const take = async (bytes: Uint8Array): Promise<void> => {
    const header = table.columnNames;
    if (header === undefined || next % 2 === 0) return readHere(bytes);
    thread ??= startProfileThread(header, newline as Newline, signal, {
      onAnswer: (index, answer) => {
        if ('error' in answer) failure = earlier(failure, { index, ...answer });
        else count(index, answer);
      },
      recycle: (buffer) => segmenter.recycle(buffer),
    });
    firstAway = Math.min(firstAway, next);
    options.onSegment?.(next, 'thread');
    await thread.send(next++, bytes);
  };

  try {
    let sequential: CsvPartReader | undefined;
    for await (const chunk of chunks) {
      throwIfAborted(signal);
      if (sequential !== undefined) {
        sequential.push(chunk, signal);
        continue;
      }
      for (const segment of segmenter.push(chunk)) {
        if (failure === undefined) await take(segment);
      }
      if (failure !== undefined) break;
      if (segmenter.pendingBytes > options.maxSegmentBytes) {
        // Read the rest here, placed exactly: after every segment the thread was given.
        await thread?.drained();
        if (failure !== undefined) break;
        sequential = new CsvPartReader(table, placeHere());
        sequential.push(segmenter.end(), signal);
      }
    }
    throwIfAborted(signal);
    if (sequential !== undefined) {
      sequential.finish();
    } else if (failure === undefined) {
      await take(segmenter.end());
      await thread?.drained();
    }
    if (failure !== undefined) {
      await thread?.drained();
      throw reportFailure(failure as Failure, table, counts, firstAway, newline);
    }
    if (thread !== undefined) table.merge(await thread.finish());
    return table.profile();
  } finally {
    await thread?.stop();
  }
}

/** Of two failures, the one of the earlier segment. */
function earlier(a: Failure | undefined, b: Failure): Failure {
  return a !== undefined && a.index < b.index ? a : b;
}

function sum(counts: Counts[], field: keyof Counts): number {
  let total = 0;
  for (const count of counts) total += count?.[field] ?? 0;
  return total;
}

/**
 * The error of the first segment that failed, as a reading from the start names it: read again,
 * placed after the rows and line ends of the segments before it (every one of which has been read
 * without error by now).
 */
function reportFailure(
  failure: Failure,
  table: TableProfiler,
  counts: Counts[],
  firstAway: number,
  newline: Newline | undefined,
): Error {
  // Before the thread had a segment, every segment was read here in order, placed exactly.
  if (failure.index < firstAway) return failure.error;
  const before = counts.slice(0, failure.index);
  const part = {
    newline: newline as Newline,
    linesBefore: sum(before, 'lines'),
    rowsBefore: sum(before, 'rows'),
  };
  try {
    profileCsvPart(failure.bytes, new TableProfiler(table.columnNames), part);
  } catch (error) {
    return error as Error;
  }
  return failure.error;
}

/** The parse thread, given segments. */
interface ProfileThread {
  /** Sends a segment (its buffer is transferred); resolves when the window has room. */
  send(index: number, bytes: Uint8Array): Promise<void>;
  /** Resolves once every segment sent is answered, or one failed. */
  drained(): Promise<void>;
  /** The thread's table, once every segment is answered. */
  finish(): Promise<TableState>;
  stop(): Promise<void>;
}

type Answer = Counts | { error: Error; bytes: Uint8Array };

function startProfileThread(
  header: string[],
  newline: Newline,
  signal: AbortSignal | undefined,
  /** Told each segment's answer; given each buffer the thread hands back. */
  {
    onAnswer,
    recycle,
  }: { onAnswer: (index: number, answer: Answer) => void; recycle: (buffer: ArrayBuffer) => void },
): ProfileThread {
  const { worker, port } = openParseThread('csv', THREAD_LIMITS);
  const post = (message: ToThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  post({ type: 'start', header, newline });

  let away = 0;
  let failed = false;
  let crashed: Error | undefined;
  let table: TableState | undefined;
  let wake: (() => void) | undefined;
  const changed = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  /** Waits until `done` holds; throws if the thread crashed or the job was aborted. */
  const until = async (done: () => boolean): Promise<void> => {
    for (;;) {
      if (crashed !== undefined) throw crashed;
      throwIfAborted(signal);
      if (done()) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  port.on('message', (message: FromThread) => {
    if (message.type === 'table') {
      table = message.table;
    } else if (message.type === 'profiled') {
      away--;
      recycle(message.buffer);
      onAnswer(message.index, { rows: message.rows, lines: message.lines });
    } else {
      away--;
      failed = true;
      const bytes = new Uint8Array(message.buffer, 0, message.length);
      onAnswer(message.index, { error: deserializeError(message.error), bytes });
    }
    changed();
  });
  worker.on('error', (error) => {
    crashed ??= new Error(`parse thread failed: ${error.message}`);
    changed();
  });
  worker.on('exit', (code) => {
    crashed ??= new Error(`parse thread stopped without an answer (exit code ${code})`);
    changed();
  });
  const onAbort = (): void => changed();
  signal?.addEventListener('abort', onAbort, { once: true });

  return {
    async send(index, bytes) {
      const buffer = bytes.buffer as ArrayBuffer;
      post({ type: 'segment', index, buffer, length: bytes.length }, [buffer]);
      away++;
      await until(() => failed || away < WINDOW);
    },
    drained: () => until(() => failed || away === 0),
    async finish() {
      post({ type: 'end' });
      await until(() => table !== undefined);
      return table as TableState;
    },
    async stop() {
      signal?.removeEventListener('abort', onAbort);
      port.close();
      await worker.terminate();
    },
  };
}

/**
 * The parse thread's side (parse-thread-entry.ts): profiles each segment it is sent into a table
 * of its own and answers with the segment's counts, until one fails; sends its table at the end.
 */
export function serveCsvSegments(port: MessagePort): void {
  let table: TableProfiler | undefined;
  let newline: Newline = '\n';
  /**
   * Segments sent after one failed are not read. The thread stays until the other stops it: were
   * it to end on its own, its exit could reach the other thread before its answer.
   */
  let failed = false;
  const answer = (message: FromThread, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(message, transfer);
  port.on('message', (message: ToThread) => {
    if (message.type === 'start') {
      table = new TableProfiler(message.header);
      newline = message.newline;
      return;
    }
    if (failed) return;
    if (table === undefined) throw new Error('parse thread: a segment came before the header');
    if (message.type === 'end') {
      answer({ type: 'table', table: table.state() });
      return;
    }
    const { index, buffer, length } = message;
    try {
      // Placed at the start of the input: the other thread places it again if it fails.
      const { rows, lines } = profileCsvPart(new Uint8Array(buffer, 0, length), table, {
        newline,
        linesBefore: 0,
        rowsBefore: 0,
      });
      answer({ type: 'profiled', index, rows, lines, buffer }, [buffer]);
    } catch (error) {
      answer({ type: 'failed', index, error: serializeError(error), buffer, length }, [buffer]);
      failed = true;
    }
  });
}
