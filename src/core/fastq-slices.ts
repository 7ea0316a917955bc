/**
 * A plain FASTQ input read in slices, each by a parser of its own: the input is cut where a record
 * starts near each of `slices - 1` evenly spaced offsets, and the parsers' counts are merged at
 * the end into the statistics one reading gives. Where the slices are on two threads, each thread
 * parses bytes it read itself: 1.4–1.6 times as fast as one thread on the bench's file, where
 * handing bytes read here to the other thread was no faster than one thread (BENCHMARKS.md).
 *
 * Only an input that can be read from any offset can be sliced: a file (fastq-file-slices.ts,
 * two slices, one on each thread), an S3 object (object-slices.ts in the runtime: a ranged GET
 * per slice, as many as it reads an object with, all received and parsed on the main thread).
 * Where the slices cannot be trusted to give what a reading from the start gives (one fails, or
 * one but the last does not end where a record may start), the caller reads the input from the
 * start: its figures, or its error, are then those of one reading. A gzip input fails at its
 * first byte here, and is left to that reading too.
 */
import { coalesce } from './coalesce.js';
import { FASTQ_CHUNK_BYTES, FastqParser, type FastqState } from './fastq.js';
import type { ByteRange } from './file-source.js';
import { throwIfAborted } from './input.js';
import type { FastqStats } from './report.js';

const LF = 10;
const AT = 64; // '@'
const PLUS = 43; // '+'

/** Bytes read at a cut to find where a record starts: many records, even long reads'. */
const SEARCH_BYTES = 1 << 20;

/** What a parser counted over one slice of the input. */
export interface SliceCounts {
  state: FastqState;
  /** Whether the slice ends where a record may start (`FastqParser.atRecordStart`). */
  atRecordStart: boolean;
}

/** An input that can be read from any offset, its slices counted where it chooses. */
export interface SlicesSource {
  /** Bytes in the input. */
  readonly size: number;
  /** Slices to cut it into: at least 2. */
  readonly slices: number;
  /**
   * Whether the slices pay without a second CPU: they do where each is read over a connection of
   * its own, whose throughputs add up (an S3 object's), not where they only add a parser (a
   * file's).
   */
  readonly paysOnOneCpu: boolean;
  /** Bytes [start, end) of the input, read on this thread (to find where a record starts). */
  read(range: ByteRange, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /**
   * What `countFastq` gives for slice `index`, bytes [start, end) of the input, read and parsed
   * on a thread of the source's choosing by a parser of its own; undefined where those bytes are
   * not FASTQ (an `InputError` there). Fails with `JobAbortedError` (or the abort's own error)
   * when `signal` aborts.
   */
  count(index: number, range: ByteRange, signal: AbortSignal): Promise<SliceCounts | undefined>;
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

/** Where a record starts at or after `offset` (within `SEARCH_BYTES`), if one is found. */
async function recordStartFrom(
  source: SlicesSource,
  offset: number,
  signal?: AbortSignal,
): Promise<number | undefined> {
  // From one byte before, so that a record starting right at the offset is found.
  const from = offset - 1;
  const end = Math.min(source.size, from + SEARCH_BYTES);
  const window = Buffer.allocUnsafe(end - from);
  let filled = 0;
  for await (const chunk of source.read({ start: from, end }, signal)) {
    window.set(chunk, filled);
    filled += chunk.length;
  }
  const at = findRecordStart(window.subarray(0, filled));
  return at === -1 ? undefined : from + at;
}

/**
 * Where each slice but the first starts, in order; undefined where a cut cannot be made (no
 * record starts near an offset, or two offsets find the same record).
 */
async function cutsOf(source: SlicesSource, signal?: AbortSignal): Promise<number[] | undefined> {
  const { size, slices } = source;
  const offsets = Array.from({ length: slices - 1 }, (_, i) => Math.floor((size * (i + 1)) / slices));
  const cuts = await Promise.all(offsets.map((offset) => recordStartFrom(source, offset, signal)));
  for (const [i, cut] of cuts.entries())
    if (cut === undefined || (i > 0 && cut <= cuts[i - 1]!)) return undefined;
  return cuts as number[];
}

/**
 * The statistics of the plain FASTQ input, read in slices; undefined where the caller must read
 * it from the start instead (see the header). Fails with `JobAbortedError` when `signal` aborts.
 */
export async function fastqInSlices(
  source: SlicesSource,
  signal?: AbortSignal,
): Promise<FastqStats | undefined> {
  throwIfAborted(signal);
  const cuts = await cutsOf(source, signal);
  if (cuts === undefined) return undefined;
  const starts = [0, ...cuts];
  // Stops the other slices when one gives up or fails, or when the job is aborted.
  const done = new AbortController();
  const both = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  const counted = starts.map((start, index) =>
    source.count(index, { start, end: starts[index + 1] ?? source.size }, both).then(
      (counts) => {
        if (counts === undefined) done.abort();
        return counts;
      },
      (error: unknown) => {
        // Another slice gave up first: this one's abort is not a failure.
        if (done.signal.aborted && !signal?.aborted) return undefined;
        done.abort();
        throwIfAborted(signal);
        throw error;
      },
    ),
  );
  try {
    const slices = await Promise.all(counted);
    throwIfAborted(signal);
    const parser = new FastqParser();
    for (const [index, slice] of slices.entries()) {
      // Every slice but the last must end where the next one's first record starts.
      if (slice === undefined || (index < slices.length - 1 && !slice.atRecordStart)) return undefined;
      parser.merge(slice.state);
    }
    return parser.finish();
  } finally {
    done.abort();
    // No thread or request of any slice outlives the call.
    await Promise.allSettled(counted);
  }
}

/**
 * What a thread does with its slice: the counts of `chunks`. With `toEnd` (the input's last
 * slice), the end is checked as an input's end: a record cut short there fails. Like the chunks of
 * a `ByteSource`, each is done with when the next is asked for.
 */
export async function countFastq(
  chunks: AsyncIterable<Uint8Array>,
  options: { toEnd: boolean },
): Promise<SliceCounts> {
  const parser = new FastqParser();
  for await (const chunk of coalesce(chunks, FASTQ_CHUNK_BYTES)) parser.push(chunk);
  if (options.toEnd) parser.finish();
  return { state: parser.state(), atRecordStart: parser.atRecordStart };
}
