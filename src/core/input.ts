/**
 * Turns any byte source into a stream of uncompressed Buffers: detects gzip by its magic bytes,
 * decompresses it with zlib (multi-member gzip too), counts bytes on both sides and
 * checks the abort signal between chunks. Memory stays at a few MiB whatever the input size.
 */
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { InputError, JobAbortedError } from './api.js';
import { canInflateSync, inflateSync } from './inflate-sync.js';

/**
 * Where a job's bytes come from. The core is done with a chunk as soon as it asks for the next
 * one, so a source may hand out the same buffer again and again (see `fileChunks`).
 */
export type ByteSource = AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

export interface OpenOptions {
  signal?: AbortSignal;
  /**
   * Size of the buffers zlib hands back. Large ones keep per-chunk overhead low for a fast
   * consumer; a slow one should ask for small ones, which are collected young instead of
   * piling up in old space while they wait. zlib may run 4 such buffers ahead of the consumer.
   * @default 1 MiB
   */
  gunzipChunkBytes?: number;
  /**
   * Inflate gzip synchronously on this thread (inflate-sync.ts), which then does nothing else
   * while it inflates: for a thread that only passes the bytes on to a parse thread. The reader
   * of the chunks then checks their CRC-32 (`OpenedInput.verifyCrc32`). Ignored where this
   * Node.js lacks the engine.
   * @default false: a zlib stream, inflated on libuv's thread pool
   */
  inflateSync?: boolean;
}

export interface OpenedInput {
  gzip: boolean;
  /** Uncompressed content. Stopping the iteration early releases the source. */
  chunks: AsyncIterable<Buffer>;
  /** Filled in as `chunks` is consumed. */
  counters: { bytes: number; uncompressedBytes: number };
  /**
   * Set where gzip's CRC-32 is left to the reader of `chunks` (`inflateSync`): once they have all
   * been read, call it with their CRC-32 (crc32.ts, `crc32Through`); it throws the `InputError`
   * corrupt data gets if the trailers say otherwise.
   */
  verifyCrc32?: (crc: number) => void;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new JobAbortedError('job aborted');
}

/** Peek at the first bytes of `source` and set up decompression if they are gzip's magic. */
export async function openInput(source: ByteSource, options: OpenOptions = {}): Promise<OpenedInput> {
  const { signal, gunzipChunkBytes = 1 << 20, inflateSync: synchronously = false } = options;
  const iterator = toBuffers(source)[Symbol.asyncIterator]();
  const counters = { bytes: 0, uncompressedBytes: 0 };

  const head: Buffer[] = [];
  let headBytes = 0;
  let exhausted = false;
  try {
    while (headBytes < 2) {
      throwIfAborted(signal);
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      if (next.value.length === 0) continue;
      // Kept while the next chunk is read: a copy, as the source may reuse its buffer.
      head.push(headBytes + next.value.length < 2 ? Buffer.from(next.value) : next.value);
      headBytes += next.value.length;
      counters.bytes += next.value.length;
    }
  } catch (error) {
    release(source);
    await iterator.return?.(undefined);
    throw error;
  }
  const first = head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head);
  const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;

  async function* raw(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) yield first;
      if (exhausted) return;
      for (;;) {
        throwIfAborted(signal);
        const next = await iterator.next();
        if (next.done) return;
        counters.bytes += next.value.length;
        yield next.value;
      }
    } finally {
      if (!exhausted) await iterator.return?.(undefined);
    }
  }

  async function* plain(): AsyncGenerator<Buffer> {
    let completed = false;
    try {
      for await (const chunk of raw()) {
        counters.uncompressedBytes += chunk.length;
        yield chunk;
      }
      completed = true;
    } finally {
      if (!completed) release(source);
    }
  }

  const inflation =
    gzip && synchronously && canInflateSync() ? inflateSync(raw(), gunzipChunkBytes) : undefined;

  async function* gunzipped(): AsyncGenerator<Buffer> {
    const inflated = inflation?.chunks ?? gunzipStream(raw(), gunzipChunkBytes);
    let completed = false;
    try {
      for await (const chunk of inflated) {
        counters.uncompressedBytes += chunk.length;
        yield chunk;
      }
      completed = true;
    } catch (error) {
      if (isZlibError(error)) {
        throw corrupt(error.message);
      }
      throw error;
    } finally {
      // The feeding loop may be waiting on a read; a stream source is stopped at once rather
      // than when that read completes.
      if (!completed) release(source);
    }
  }

  const opened: OpenedInput = { gzip, chunks: gzip ? gunzipped() : plain(), counters };
  if (inflation !== undefined) {
    opened.verifyCrc32 = (crc) => {
      if (crc !== inflation.expectedCrc32()) throw corrupt('incorrect data check');
    };
  }
  return opened;
}

function corrupt(reason: string): InputError {
  return new InputError(`corrupt or truncated gzip data: ${reason}`, 'GZIP_CORRUPT');
}

/** Inflate through a zlib stream, with zlib's output in buffers of `chunkBytes`. */
async function* gunzipStream(compressed: AsyncIterable<Buffer>, chunkBytes: number): AsyncGenerator<Buffer> {
  // zlib passes its options on to its Transform stream; the typings omit highWaterMark.
  const zlibOptions: ZlibOptions & { highWaterMark: number } = {
    chunkSize: chunkBytes,
    highWaterMark: 4 * chunkBytes,
  };
  const gunzip = createGunzip(zlibOptions);
  // Feed zlib one chunk at a time and ask for the next only once zlib has consumed it (the
  // write callback), so the source may reuse its buffer. Errors reach the reading loop below
  // through the destroyed stream.
  const feed = async (): Promise<void> => {
    try {
      for await (const chunk of compressed) {
        await new Promise<void>((resolve, reject) =>
          gunzip.write(chunk, (error) => (error ? reject(error) : resolve())),
        );
      }
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  };
  void feed();
  try {
    yield* gunzip as AsyncIterable<Buffer>;
  } finally {
    gunzip.destroy();
  }
}

/** Stop a stream source at once, even mid-read; other iterables stop through `return()`. */
function release(source: ByteSource): void {
  const stream = source as { destroy?: unknown; destroyed?: unknown };
  if (typeof stream.destroy === 'function' && stream.destroyed !== true)
    (stream.destroy as () => void).call(source);
}

function isZlibError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('Z_')
  );
}

async function* toBuffers(source: ByteSource): AsyncGenerator<Buffer> {
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    if (typeof chunk === 'string') yield Buffer.from(chunk);
    else if (Buffer.isBuffer(chunk)) yield chunk;
    else yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}
