/**
 * A plain FASTQ file read on two threads, each its own half: this thread reads from the start to
 * where a record starts near the middle, the parse thread from there to the end, each with a
 * parser of its own, merged at the end into the statistics one reading gives. Each thread parses
 * bytes it read itself: 1.4–1.6 times as fast as one thread on the bench's file, where handing
 * bytes read here to the other thread was no faster than one thread (BENCHMARKS.md).
 *
 * Only a file can be read from its middle. Where the halves cannot be trusted to give what a
 * reading from the start gives (either fails, or the first does not end where a record may
 * start), the caller reads the file from the start: its figures, or its error, are then those of
 * one reading.
 */
import { open } from 'node:fs/promises';
import { InputError } from './api.js';
import { FastqParser, type FastqState } from './fastq.js';
import { fileChunks, type ByteRange } from './file-source.js';
import { throwIfAborted } from './input.js';
import { answerOf, deserializeError, openParseThread } from './parse-thread-protocol.js';
import type { FastqStats } from './report.js';

const LF = 10;
const AT = 64; // '@'
const PLUS = 43; // '+'

/** Bytes read from the middle to find where a record starts: many records, even long reads'. */
const SEARCH_BYTES = 1 << 20;
/** The parser allocates almost nothing (as on the parse thread fed over a channel). */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 2 };

/**
 * The offset in `bytes` of the first line after the first line feed that starts a record: it
 * begins with `@` and the line after next begins with `+`. A quality line may begin with `@` too,
 * but the line after next is then a sequence, which never begins with `+`. -1 if no such line
 * lies wholly inside `bytes` with the start of its line after next.
 */
export function findRecordStart(bytes: Buffer): number {
  for (let lineFeed = bytes.indexOf(LF); lineFeed !== -1; lineFeed = bytes.indexOf(LF, lineFeed + 1)) {
    const start = lineFeed + 1;
    if (bytes[start] !== AT) continue;
    const first = bytes.indexOf(LF, start);
    const second = first === -1 ? -1 : bytes.indexOf(LF, first + 1);
    if (second === -1 || second + 1 >= bytes.length) return -1;
    if (bytes[second + 1] === PLUS) return start;
  }
  return -1;
}

/**
 * Where a record starts near the middle of the file, if one is found; none in a file that starts
 * with gzip's magic bytes (as `openInput` tells gzip), which only a stream can read.
 */
async function middleRecordStart(path: string, size: number): Promise<number | undefined> {
  // From one byte before the middle, so that a record starting right at it is found.
  const from = Math.floor(size / 2) - 1;
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return undefined;
    const window = Buffer.alloc(Math.min(SEARCH_BYTES, size - from));
    const { bytesRead } = await handle.read(window, 0, window.length, from);
    const at = findRecordStart(window.subarray(0, bytesRead));
    return at === -1 ? undefined : from + at;
  } finally {
    await handle.close();
  }
}

/**
 * The statistics of the plain FASTQ file at `path` (`size` bytes), read in two halves on two
 * threads; undefined where the caller must read it as a stream instead (gzip, no record start
 * found near the middle, or a half failed: see the header). Fails with `JobAbortedError` when `signal`
 * aborts.
 */
export async function fastqFileInHalves(
  path: string,
  size: number,
  signal?: AbortSignal,
): Promise<FastqStats | undefined> {
  const cut = await middleRecordStart(path, size);
  if (cut === undefined) return undefined;
  const { worker, port } = openParseThread('fastq', THREAD_LIMITS, { file: { path, start: cut, end: size } });
  const { answer, dispose } = answerOf(worker, signal);
  // The other half's counts, or undefined if it failed.
  const otherHalf = answer.then((message): FastqState | undefined => {
    if (message.type === 'fastq-state') return message.state;
    const error =
      message.type === 'error'
        ? deserializeError(message.error)
        : new Error(`parse thread: unexpected answer ${message.type}`);
    if (error instanceof InputError) return undefined;
    throw error;
  });
  // Not left unhandled while this half is read; awaited below.
  otherHalf.catch(() => undefined);
  try {
    const parser = new FastqParser();
    try {
      for await (const chunk of fileChunks(path, undefined, { start: 0, end: cut })) {
        throwIfAborted(signal);
        parser.push(chunk);
      }
    } catch (error) {
      if (error instanceof InputError) return undefined;
      throw error;
    }
    if (!parser.atRecordStart) return undefined;
    const other = await otherHalf;
    if (other === undefined) return undefined;
    parser.merge(other);
    return parser.finish();
  } finally {
    dispose();
    port.close();
    await worker.terminate();
  }
}

/** The parse thread's side (parse-thread-entry.ts): the counts of `range` of the file, to its end. */
export async function readFastqRange(path: string, range: ByteRange): Promise<FastqState> {
  const parser = new FastqParser();
  for await (const chunk of fileChunks(path, undefined, range)) parser.push(chunk);
  // It reads to the end of the input: a record cut short there fails here.
  parser.finish();
  return parser.state();
}
