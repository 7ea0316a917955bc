/**
 * The job core's parse thread, so that a job uses two CPUs: a gzipped FASTQ is inflated on the
 * calling thread and parsed on this one, which it is sent over a chunk channel in 1 MiB buffers
 * (parse-thread-entry.ts computes the figures); a CSV is profiled on both, half the records each
 * (csv-two-threads.ts). Worth it only with a second CPU free.
 */
import type { Format } from './api.js';
import { ChunkSender } from './chunk-channel.js';
import { profileCsvOnTwoThreads } from './csv-two-threads.js';
import { crc32Through } from './crc32.js';
import { throwIfAborted } from './input.js';
import type { Figures, ParseOptions } from './parse.js';
import { answerOf, deserializeError, openParseThread } from './parse-thread-protocol.js';

/** Size of the buffers the input travels in. */
const CHUNK_BYTES = 1 << 20;
/**
 * Buffers away at the parse thread before the reader waits: enough that the parser rarely waits
 * for the next one, few enough to keep memory flat (3 measured as fast, and 3 MiB larger).
 */
const WINDOW = 2;
/**
 * The FASTQ parser allocates nearly nothing, so its thread does with a small young generation:
 * a few MiB less resident than the default, at the same speed (BENCHMARKS.md).
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 2 };

/** A parse thread started and fed over its chunk channel. */
interface ParseThread {
  sender: ChunkSender;
  /** The thread's figures, or its error, or `JobAbortedError` when the signal aborts. */
  answered: Promise<Figures>;
  stop(): Promise<void>;
}

function startParseThread({ signal, verifyCrc32 }: ParseOptions): ParseThread {
  const { worker: thread, port } = openParseThread('fastq', THREAD_LIMITS, {
    crc32: verifyCrc32 !== undefined,
  });
  const sender = new ChunkSender(port, { chunkBytes: CHUNK_BYTES, window: WINDOW });
  const { answer, dispose } = answerOf(thread, signal);
  const answered = answer.then((message) => {
    // Before the parser's own answer: zlib would have failed a corrupt input before it ended.
    if (verifyCrc32 !== undefined) {
      if (message.crc32 !== undefined) verifyCrc32(message.crc32);
      else if (message.type === 'figures')
        throw new Error('parse thread: answered without the CRC-32 it was asked for');
    }
    if (message.type === 'figures') return message.figures;
    throw message.type === 'error'
      ? deserializeError(message.error)
      : new Error(`parse thread: unexpected answer ${message.type}`);
  });
  // An answer before the end of the input (bad input, say) stops the sending.
  answered.then(
    () => sender.close(),
    () => sender.close(),
  );
  return {
    sender,
    answered,
    stop: async () => {
      sender.close();
      dispose();
      await thread.terminate();
    },
  };
}

/**
 * The figures of `chunks` (uncompressed, each valid until the next is asked for), with a parse
 * thread: a FASTQ is parsed there while this thread reads (and the thread computes the CRC-32
 * `verifyCrc32` checks); a CSV is profiled on both, each thread reading half the records. Fails
 * with the parser's `InputError` as if it had run here, and with `JobAbortedError` when `signal`
 * aborts; either way the reading of `chunks` stops.
 */
export async function parseOnThread(
  format: Format,
  chunks: AsyncIterable<Uint8Array>,
  options: ParseOptions = {},
): Promise<Figures> {
  const { signal, verifyCrc32 } = options;
  throwIfAborted(signal);
  if (format === 'csv') {
    const input = verifyCrc32 === undefined ? chunks : crc32Through(chunks, verifyCrc32);
    return { csv: await profileCsvOnTwoThreads(input, signal) };
  }
  const { sender, answered, stop } = startParseThread(options);
  const fed = (async () => {
    for await (const chunk of chunks) {
      if (sender.isClosed) return;
      throwIfAborted(signal);
      await sender.write(chunk);
    }
    await sender.end();
  })();
  try {
    return await Promise.race([answered, fed.then(() => answered)]);
  } finally {
    // Not awaited: `fed` may be waiting on a slow read, which ends at its next chunk.
    fed.catch(() => undefined);
    await stop();
  }
}
