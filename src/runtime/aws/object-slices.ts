import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import {
  countFastq,
  InputError,
  type ByteRange,
  type SliceCounts,
  type SlicesSource,
} from '../../core/index.js';
import { openWatched } from '../stall-watchdog.js';
import { nudgingCollector } from './collector-nudge.js';

export interface ObjectSlicesProps {
  bucket: string;
  key: string;
  /** Pins every GET to this version; without it, GETs are pinned by the first one's ETag. */
  versionId: string | null;
  /** The object's size, from its HEAD. */
  size: number;
  /** Reads the bytes around each cut and the slices. */
  s3: S3Client;
  /** Slices to read, one ranged GET each (the object's read concurrency, at least 2). */
  slices: number;
  /**
   * Seconds a read may go without a byte before it fails with `InputStalledError`.
   * @default - no limit
   */
  stallSeconds?: number;
}

/**
 * An S3 object as the job core's `SlicesSource`: a ranged GET per slice, as many as the object's
 * reader keeps in flight (one S3 connection delivers far less than a parser takes). All are
 * received and parsed here, each by a parser of its own: S3's wait for a first byte is paid once
 * per slice, where an in-order stream of ranged GETs pays it once per part, and no part waits in
 * a buffer for its turn. A second CPU is not given any of them: at S3's rate per connection the
 * connections bound the read, and a thread of its own receiving half of them read no faster and
 * held 10–28 MiB more (BENCHMARKS.md). The main thread's young generation is large enough to let
 * tens of MiB of a socket's chunks wait for a collection, so the slices nudge the collector as
 * they are received (collector-nudge.ts). Every GET is pinned to one version (or the first GET's
 * ETag), so a concurrent upload cannot mix two versions into one input.
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
        body: (await this.get(range, watched)).Body as AsyncIterable<Uint8Array>,
      }),
      this.props.stallSeconds,
      signal,
    );
    yield* body;
  }

  async count(_index: number, range: ByteRange, signal: AbortSignal): Promise<SliceCounts | undefined> {
    try {
      const body = this.read(range, signal);
      return await countFastq(nudgingCollector(body), { toEnd: range.end === this.size });
    } catch (error) {
      if (error instanceof InputError) return undefined;
      throw error;
    }
  }

  private async get(range: ByteRange, signal?: AbortSignal): Promise<GetObjectCommandOutput> {
    const { bucket, key, versionId } = this.props;
    const out = await this.props.s3.send(
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
