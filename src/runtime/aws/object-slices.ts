import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { deserialize } from 'node:v8';
import { countFastq, type ByteRange, type SliceCounts, type SlicesSource } from '../../core/index.js';
import { InputStalledError, openWatched } from '../stall-watchdog.js';
import { nudgingCollector } from './collector-nudge.js';

export interface ObjectSlicesProps {
  bucket: string;
  key: string;
  /** Pins every GET to this version; without it, GETs are pinned by the first one's ETag. */
  versionId: string | null;
  /** The object's size, from its HEAD. */
  size: number;
  /** Reads the bytes around each cut and the slices `counter` does not count, on this thread. */
  s3: S3Client;
  /** Slices to read, one ranged GET each (the object's read concurrency, at least 2). */
  slices: number;
  /**
   * Counts the second half of the slices: a client whose handler counts a body on its HTTP
   * thread (`HttpThreadHandler.fastqCounter()`), where a second CPU runs it.
   * @default - every slice received and parsed on this thread
   */
  counter?: S3Client;
  /**
   * Seconds a read may go without a byte before it fails with `InputStalledError` (the HTTP
   * thread's sockets are given the same limit by `createClients`).
   * @default - no limit
   */
  stallSeconds?: number;
}

/**
 * An S3 object as the job core's `SlicesSource`: a ranged GET per slice, as many as the object's
 * reader keeps in flight (one S3 connection delivers far less than a parser takes). On one CPU
 * all are received and parsed here, each by a parser of its own: S3's wait for a first byte is
 * paid once per slice, where an in-order stream of ranged GETs pays it once per part, and no part
 * waits in a buffer for its turn (BENCHMARKS.md). With a second CPU the first half of the slices
 * is received and parsed here, on the main thread, and the second on an HTTP thread, so that
 * each thread parses bytes it received itself (BENCHMARKS.md: one GET received on one thread and
 * parsed on another kept 0.67–0.88× of a local file); a second HTTP thread in place of the main
 * thread read as fast and held 9–29 MiB more, its own V8 heap. The main thread's young generation
 * is large enough to let tens of MiB of a socket's chunks wait for a collection, so its slices
 * nudge the collector as they are received (collector-nudge.ts). Every GET is pinned to one
 * version (or the first GET's ETag), so a concurrent upload cannot mix two versions into one
 * input.
 */
export class ObjectSlices implements SlicesSource {
  readonly size: number;
  readonly slices: number;
  /** Each slice is a connection of its own: on one CPU too, they deliver more than one would. */
  readonly paysOnOneCpu = true;
  private etag: string | undefined;
  private modified: Date | undefined;

  constructor(private readonly props: ObjectSlicesProps) {
    this.size = props.size;
    this.slices = Math.max(2, props.slices);
  }

  /** The object's LastModified, once a GET has answered. */
  get lastModified(): Date {
    return this.modified ?? new Date(0);
  }

  async *read(range: ByteRange, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const { body } = await openWatched(
      async (watched) => ({
        body: (await this.get(this.props.s3, range, watched)).Body as AsyncIterable<Uint8Array>,
      }),
      this.props.stallSeconds,
      signal,
    );
    yield* body;
  }

  async count(index: number, range: ByteRange, signal: AbortSignal): Promise<SliceCounts | undefined> {
    try {
      const { counter } = this.props;
      if (counter !== undefined && index >= this.slices / 2) {
        const out = await this.get(counter, range, signal);
        return deserialize(await out.Body!.transformToByteArray()) as SliceCounts;
      }
      const body = this.read(range, signal);
      return await countFastq(nudgingCollector(body), { toEnd: range.end === this.size });
    } catch (error) {
      const { name } = error as { name?: string };
      if (name === 'InputError') return undefined;
      const seconds = this.props.stallSeconds;
      if (name === 'TimeoutError' && seconds !== undefined) throw new InputStalledError(seconds);
      throw error;
    }
  }

  private async get(
    client: S3Client,
    range: ByteRange,
    signal?: AbortSignal,
  ): Promise<GetObjectCommandOutput> {
    const { bucket, key, versionId } = this.props;
    const out = await client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId ?? undefined,
        IfMatch: versionId === null ? this.etag : undefined,
        Range: `bytes=${range.start}-${range.end - 1}`,
      }),
      { abortSignal: signal },
    );
    this.etag ??= out.ETag;
    this.modified ??= out.LastModified;
    return out;
  }
}
