/**
 * Gzip inflated synchronously on the calling thread, through the zlib handle and write-state array
 * Node.js's own `gunzipSync` uses (npm's tar goes through the same handle). Both are internal to
 * Node.js: this file is the one place the project touches an internal API, kept because it is
 * measurably faster for the one case it serves (BENCHMARKS.md): a thread that only inflates and
 * passes the bytes on to a parse thread. A zlib stream sends every MiB to libuv's thread pool and
 * back and allocates a new output buffer each time; on the bench's 1 GiB this engine inflates in
 * 2.4 s where a stream takes 2.7 s. `canInflateSync` says whether this Node.js has the handle;
 * without it, callers use a zlib stream. The unit tests run on every Node.js CI tests (20 and 24).
 *
 * zlib keeps gzip's framing: headers, multi-member files, CRC-32 and length checks.
 */
import { constants, createGunzip } from 'node:zlib';

/** The parts of a zlib stream driven here; internal to Node.js, hence checked first. */
interface SyncZlibEngine {
  _handle?: {
    writeSync?: (
      flush: number,
      input: Uint8Array,
      inputOffset: number,
      inputLength: number,
      output: Uint8Array,
      outputOffset: number,
      outputLength: number,
    ) => void;
  };
  /** After a write: [output bytes left unused, input bytes left unread]. */
  _writeState?: Uint32Array;
  errored?: Error | null;
}

let engineAvailable: boolean | undefined;

/** Whether this Node.js exposes the zlib handle `inflateSync` drives. */
export function canInflateSync(): boolean {
  if (engineAvailable === undefined) {
    const probe = createGunzip() as unknown as SyncZlibEngine & { close(): void };
    engineAvailable =
      typeof probe._handle?.writeSync === 'function' && probe._writeState instanceof Uint32Array;
    probe.close();
  }
  return engineAvailable;
}

const NO_INPUT = new Uint8Array(0);

/**
 * The decompressed content of `compressed` (gzip, one or more members) in chunks of `chunkBytes`
 * (the last may be shorter), all in one reused buffer: a chunk is valid until the next is asked
 * for. Bytes after the end of the gzip data (zero padding) are read and ignored, as Node.js's own
 * streams do. Corrupt or truncated data fails with zlib's error (code `Z_…`).
 */
export async function* inflateSync(
  compressed: AsyncIterable<Uint8Array>,
  chunkBytes: number,
): AsyncGenerator<Buffer> {
  if (!canInflateSync()) throw new Error('this Node.js has no synchronous zlib engine');
  const gunzip = createGunzip();
  // Errors are read from `errored` after each call, synchronously.
  gunzip.on('error', () => undefined);
  const engine = gunzip as unknown as Required<SyncZlibEngine>;
  const handle = engine._handle as Required<NonNullable<SyncZlibEngine['_handle']>>;
  const state = engine._writeState;
  const out = Buffer.allocUnsafe(chunkBytes);
  let filled = 0;
  /** One call into zlib; true when it stopped because the output buffer is full. */
  const inflate = (flush: number, input: Uint8Array, offset: number, length: number): boolean => {
    const room = chunkBytes - filled;
    handle.writeSync(flush, input, offset, length, out, filled, room);
    if (engine.errored) throw engine.errored;
    filled += room - (state[0] as number);
    return state[0] === 0;
  };
  let dataEnded = false;
  try {
    for await (const input of compressed) {
      let offset = 0;
      let left = input.length;
      while (left > 0 && !dataEnded) {
        const full = inflate(constants.Z_NO_FLUSH, input, offset, left);
        offset += left - (state[1] as number);
        left = state[1] as number;
        if (full) {
          yield out;
          filled = 0;
        } else if (left > 0) {
          // Room for output and input left over: the gzip data has ended before it.
          dataEnded = true;
        }
      }
    }
    // Z_FINISH with nothing left to read fails with "unexpected end of file" if the data was cut
    // short; it stops for room only while zlib still holds output.
    while (!dataEnded && inflate(constants.Z_FINISH, NO_INPUT, 0, 0)) {
      yield out;
      filled = 0;
    }
    if (filled > 0) yield out.subarray(0, filled);
  } finally {
    gunzip.close();
  }
}
