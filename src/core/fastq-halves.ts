/**
 * A plain FASTQ input read in two halves on two threads, each its own half: one reads from the
 * start to where a record starts near the middle, the other from there to the end, each with a
 * parser of its own, merged at the end into the statistics one reading gives. Each
 * thread parses bytes it read itself: 1.4–1.6 times as fast as one thread on the bench's file,
 * where handing bytes read here to the other thread was no faster than one thread
 * (BENCHMARKS.md).
 *
 * Only an input that can be read from any offset can be cut: a file (fastq-file-halves.ts), an
 * S3 object (the runtime's ranged GETs, each half received and parsed on an HTTP thread of its
 * own). Where the halves cannot be trusted to give what a
 * reading from the start gives (either fails, or the first does not end where a record may
 * start), the caller reads the input from the start: its figures, or its error, are then those
 * of one reading. A gzip input fails at its first byte here, and is left to that reading too.
 */
import { coalesce } from './coalesce.js';
import { FASTQ_CHUNK_BYTES, FastqParser, type FastqState } from './fastq.js';
import type { ByteRange } from './file-source.js';
import { throwIfAborted } from './input.js';
import type { FastqStats } from './report.js';

const LF = 10;
const AT = 64; // '@'
const PLUS = 43; // '+'

/** Bytes read from the middle to find where a record starts: many records, even long reads'. */
const SEARCH_BYTES = 1 << 20;

/** What a parser counted over one half of the input. */
export interface HalfCounts {
  state: FastqState;
  /** Whether the half ends where a record may start (`FastqParser.atRecordStart`). */
  atRecordStart: boolean;
}

/** An input that can be read from any offset, each half counted on a thread of its own. */
export interface HalvesSource {
  /** Bytes in the input. */
  readonly size: number;
  /** Bytes [start, end) of the input, read on this thread (to find where a record starts). */
  read(range: ByteRange, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /**
   * What `countFastq` gives for bytes [start, end) of the input, read and parsed on a thread of
   * the source's choosing, each half on its own; undefined where those bytes are not FASTQ (an
   * `InputError` there). Fails with `JobAbortedError` (or the abort's own error) when `signal`
   * aborts.
   */
  count(range: ByteRange, signal: AbortSignal): Promise<HalfCounts | undefined>;
}

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

/** Where a record starts near the middle of the input, if one is found. */
async function middleRecordStart(source: HalvesSource, signal?: AbortSignal): Promise<number | undefined> {
  // From one byte before the middle, so that a record starting right at it is found.
  const from = Math.floor(source.size / 2) - 1;
  const chunks: Uint8Array[] = [];
  for await (const chunk of source.read(
    { start: from, end: Math.min(source.size, from + SEARCH_BYTES) },
    signal,
  ))
    chunks.push(Buffer.from(chunk));
  const at = findRecordStart(Buffer.concat(chunks));
  return at === -1 ? undefined : from + at;
}

/**
 * The statistics of the plain FASTQ input, read in two halves on two threads; undefined where the
 * caller must read it from the start instead (see the header). Fails with `JobAbortedError` when
 * `signal` aborts.
 */
export async function fastqInHalves(
  source: HalvesSource,
  signal?: AbortSignal,
): Promise<FastqStats | undefined> {
  throwIfAborted(signal);
  const cut = await middleRecordStart(source, signal);
  if (cut === undefined) return undefined;
  // Stops the other half when one gives up or fails, or when the job is aborted.
  const done = new AbortController();
  const both = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  const half = (range: ByteRange) =>
    source.count(range, both).then(
      (counts) => {
        if (counts === undefined) done.abort();
        return counts;
      },
      (error: unknown) => {
        // The other half gave up first: this one's abort is not a failure.
        if (done.signal.aborted && !signal?.aborted) return undefined;
        done.abort();
        throwIfAborted(signal);
        throw error;
      },
    );
  const halves = [half({ start: 0, end: cut }), half({ start: cut, end: source.size })];
  try {
    const [first, second] = await Promise.all(halves);
    throwIfAborted(signal);
    if (first === undefined || second === undefined || !first.atRecordStart) return undefined;
    const parser = new FastqParser();
    parser.merge(first.state);
    parser.merge(second.state);
    return parser.finish();
  } finally {
    done.abort();
    // No thread or request of either half outlives the call.
    await Promise.allSettled(halves);
  }
}

/**
 * What a thread does with its half: the counts of `chunks`. With `toEnd` (the input's last
 * half), the end is checked as an input's end: a record cut short there fails. Like the chunks of
 * a `ByteSource`, each is done with when the next is asked for.
 */
export async function countFastq(
  chunks: AsyncIterable<Uint8Array>,
  options: { toEnd: boolean },
): Promise<HalfCounts> {
  const parser = new FastqParser();
  for await (const chunk of coalesce(chunks, FASTQ_CHUNK_BYTES)) parser.push(chunk);
  if (options.toEnd) parser.finish();
  return { state: parser.state(), atRecordStart: parser.atRecordStart };
}
