/**
 * Gzip inflated synchronously on the calling thread, through the zlib handle and write-state array
 * Node.js's own `inflateRawSync` uses (npm's tar goes through the same handle). Both are internal
 * to Node.js: this file is the one place the project touches an internal API, kept because it is
 * measurably faster for the one case it serves (BENCHMARKS.md): a thread that only inflates and
 * passes the bytes on to a parse thread. A zlib stream sends every MiB to libuv's thread pool and
 * back and allocates a new output buffer each time; on the bench's 1 GiB this engine inflates in
 * 2.4 s where a stream takes 2.7 s. `canInflateSync` says whether this Node.js has the handle;
 * without it, callers use a zlib stream. The unit tests run on every Node.js CI tests (20 and 24).
 *
 * zlib inflates the deflate data raw; gzip's framing is read here (gzip-framing.ts): headers,
 * members one after another, zero padding after the last, each member's length. The CRC-32 of
 * the data is left to whoever reads it (crc32.ts), with the value the trailers expect: on the
 * inflating thread it took a tenth of the time (BENCHMARKS.md).
 */
import zlib, { constants } from 'node:zlib';
import { crc32Combine, hasCrc32 } from './crc32.js';
import { GzipHeaderReader, GzipTrailerReader, truncated, zlibError } from './gzip-framing.js';

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

/** Whether this Node.js exposes the zlib handle `inflateSync` drives, and computes CRC-32 for its reader. */
export function canInflateSync(): boolean {
  if (engineAvailable === undefined) {
    const probe = zlib.createInflateRaw() as unknown as SyncZlibEngine & { close(): void };
    engineAvailable =
      hasCrc32() &&
      typeof probe._handle?.writeSync === 'function' &&
      probe._writeState instanceof Uint32Array;
    probe.close();
  }
  return engineAvailable;
}

const NO_INPUT = new Uint8Array(0);

/** Where in a member the bytes read next belong. */
const enum Part {
  Header,
  Deflate,
  Trailer,
  /** After a trailer: another member follows unless the next byte is zero (padding). */
  Between,
  /** Padding: the rest is read and ignored. */
  End,
}

export interface SyncInflation {
  /** The uncompressed data, in chunks valid until the next is asked for. */
  chunks: AsyncGenerator<Buffer>;
  /** The CRC-32 of all of `chunks`, as the members' trailers give it: known once they have ended. */
  expectedCrc32(): number;
}

/**
 * The decompressed content of `compressed` (gzip, one or more members) in chunks of `chunkBytes`
 * (the last may be shorter), all in one reused buffer. Bytes after the end of the gzip data that
 * start with a zero (padding) are read and ignored, as Node.js's own streams do. Corrupt or
 * truncated data fails with zlib's error (code `Z_…`), but for a wrong CRC-32, which is the
 * reader's to find (`expectedCrc32`).
 */
export function inflateSync(compressed: AsyncIterable<Uint8Array>, chunkBytes: number): SyncInflation {
  if (!canInflateSync()) throw new Error('this Node.js has no synchronous zlib engine');
  let expected = 0;
  let ended = false;
  async function* chunks(): AsyncGenerator<Buffer> {
    const inflater = zlib.createInflateRaw();
    // Errors are read from `errored` after each call, synchronously.
    inflater.on('error', () => undefined);
    const engine = inflater as unknown as Required<SyncZlibEngine>;
    const handle = engine._handle as Required<NonNullable<SyncZlibEngine['_handle']>>;
    const state = engine._writeState;
    const out = Buffer.allocUnsafe(chunkBytes);
    let filled = 0;
    /** Bytes inflated of the current member. */
    let memberBytes = 0;
    /** One call into zlib; true when it stopped because the output buffer is full. */
    const inflate = (flush: number, input: Uint8Array, offset: number, length: number): boolean => {
      const room = chunkBytes - filled;
      handle.writeSync(flush, input, offset, length, out, filled, room);
      if (engine.errored) throw engine.errored;
      const produced = room - (state[0] as number);
      filled += produced;
      memberBytes += produced;
      return state[0] === 0;
    };
    let part = Part.Header;
    let header = new GzipHeaderReader();
    let trailer = new GzipTrailerReader();
    try {
      for await (const input of compressed) {
        let offset = 0;
        while (offset < input.length && part !== Part.End) {
          if (part === Part.Header) {
            offset = header.read(input, offset);
            if (header.done) part = Part.Deflate;
          } else if (part === Part.Deflate) {
            const left = input.length - offset;
            const full = inflate(constants.Z_NO_FLUSH, input, offset, left);
            offset += left - (state[1] as number);
            if (full) {
              yield out;
              filled = 0;
            } else if (offset < input.length) {
              // Room for output and input left over: the member's deflate data has ended.
              part = Part.Trailer;
            }
          } else if (part === Part.Trailer) {
            offset = trailer.read(input, offset);
            if (!trailer.done) continue;
            if (trailer.length !== memberBytes % 2 ** 32)
              throw zlibError('incorrect length check', 'Z_DATA_ERROR');
            expected = crc32Combine(expected, trailer.crc32, memberBytes);
            part = Part.Between;
          } else if (input[offset] === 0) {
            part = Part.End;
          } else {
            inflater.reset();
            header = new GzipHeaderReader();
            trailer = new GzipTrailerReader();
            memberBytes = 0;
            part = Part.Header;
          }
        }
      }
      if (part === Part.Deflate) {
        // Z_FINISH with nothing left to read fails with "unexpected end of file" if the data was
        // cut short; it stops for room only while zlib still holds output.
        while (inflate(constants.Z_FINISH, NO_INPUT, 0, 0)) {
          yield out;
          filled = 0;
        }
      }
      // The deflate data ended with the input: its trailer is missing.
      if (part === Part.Header || part === Part.Deflate || part === Part.Trailer) throw truncated();
      if (filled > 0) yield out.subarray(0, filled);
      ended = true;
    } finally {
      inflater.close();
    }
  }
  return {
    chunks: chunks(),
    expectedCrc32() {
      if (!ended) throw new Error('the CRC-32 the gzip data expects is known only once it has been read');
      return expected;
    },
  };
}
