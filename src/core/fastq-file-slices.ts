/**
 * A plain FASTQ file as a `SlicesSource` (fastq-slices.ts) of two slices: this thread reads and
 * parses the first from the file, the parse thread reads and parses the second from the file
 * itself.
 */
import { InputError } from './api.js';
import { countFastq, type SliceCounts, type SlicesSource } from './fastq-slices.js';
import { fileChunks, type ByteRange } from './file-source.js';
import { throwIfAborted } from './input.js';
import { answerOf, deserializeError, openParseThread, type FileSlice } from './parse-thread-protocol.js';

/** The parser allocates almost nothing (as on the parse thread fed over a channel). */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 2 };

/** The file at `path`, of `size` bytes, to be read in two slices. */
export function fileSlices(path: string, size: number): SlicesSource {
  return {
    size,
    slices: 2,
    paysOnOneCpu: false,
    read: (range) => fileChunks(path, undefined, range),
    count: (_, range, signal) =>
      range.start === 0
        ? countHere(path, range, size, signal)
        : countOnParseThread({ path, ...range, toEnd: range.end === size }, signal),
  };
}

async function countHere(
  path: string,
  range: ByteRange,
  size: number,
  signal: AbortSignal,
): Promise<SliceCounts | undefined> {
  async function* chunks() {
    for await (const chunk of fileChunks(path, undefined, range)) {
      throwIfAborted(signal);
      yield chunk;
    }
  }
  try {
    return await countFastq(chunks(), { toEnd: range.end === size });
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

async function countOnParseThread(file: FileSlice, signal: AbortSignal): Promise<SliceCounts | undefined> {
  const { worker, port } = openParseThread('fastq', THREAD_LIMITS, { file });
  const { answer, dispose } = answerOf(worker, signal);
  try {
    const message = await answer;
    if (message.type === 'fastq-counts') return message.counts;
    const error =
      message.type === 'error'
        ? deserializeError(message.error)
        : new Error(`parse thread: unexpected answer ${message.type}`);
    if (error instanceof InputError) return undefined;
    throw error;
  } finally {
    dispose();
    port.close();
    await worker.terminate();
  }
}
