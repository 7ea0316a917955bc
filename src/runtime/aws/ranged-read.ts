import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { nudgeCollector } from './collector-nudge.js';

/**
 * Bytes per ranged GET unless told otherwise. Memory held is concurrency × this, so for more
 * speed from S3 raise the concurrency rather than the part size: each connection adds its own
 * throughput, a larger part only spreads the request's latency thinner.
 */
export const DEFAULT_PART_BYTES = 4 * 1024 * 1024;

export interface RangedReadOptions {
  bucket: string;
  key: string;
  /** Pins every part to one version; without it, parts are pinned by the first part's ETag. */
  versionId?: string;
  /** Bytes per ranged GET. @default DEFAULT_PART_BYTES (4 MiB) */
  partBytes?: number;
  /** Parts in flight at once; memory held is about concurrency × partBytes. */
  concurrency: number;
  signal?: AbortSignal;
}

export interface RangedRead {
  /**
   * The object's bytes in order, a part at a time; a part's buffer is filled again once the next
   * one is asked for.
   */
  body: AsyncIterable<Uint8Array>;
  size: number;
  lastModified: Date;
}

/**
 * Streams an object with several ranged GETs in flight, in order and in bounded memory. One S3
 * connection delivers far less than the job core can parse; a few in parallel keep it busy. Every
 * part is pinned to the same object version (or ETag), so a concurrent upload cannot mix two
 * versions into one input.
 */
export async function rangedRead(s3: S3Client, options: RangedReadOptions): Promise<RangedRead> {
  const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
  const concurrency = Math.max(1, options.concurrency);
  const { bucket, key, signal } = options;
  const get = (start: number, ifMatch?: string) =>
    s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        VersionId: options.versionId,
        IfMatch: ifMatch,
        Range: `bytes=${start}-${start + partBytes - 1}`,
      }),
      { abortSignal: signal },
    );

  const first = await get(0);
  const size = totalSize(first);
  const etag = options.versionId ? undefined : first.ETag;
  // Each part is copied into a buffer of its own as it arrives (concurrency + 1 of them, reused)
  // and each chunk released at once: chunks kept until their part's turn outlive young
  // collections and wait for a full one, 30-40 MiB more at the peak (BENCHMARKS.md).
  const spare: Buffer[] = [];
  const collect = async (out: GetObjectCommandOutput): Promise<Buffer> => {
    const part = spare.pop() ?? Buffer.allocUnsafeSlow(partBytes);
    let length = 0;
    for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
      if (length + chunk.length > partBytes)
        throw new Error(
          `s3://${bucket}/${key}: a ranged GET answered more than the ${partBytes} bytes asked for`,
        );
      part.set(chunk, length);
      length += chunk.length;
      nudgeCollector(chunk.length);
    }
    return part.subarray(0, length);
  };
  const parts = Math.ceil(size / partBytes);

  async function* body(): AsyncGenerator<Uint8Array> {
    // A part that fails while an earlier one is awaited (an abort fails them all at once) is
    // observed at once: an unobserved rejection would end the process before its turn comes.
    const observed = (part: Promise<Buffer>) => {
      part.catch(() => undefined);
      return part;
    };
    const inFlight: Promise<Buffer>[] = [observed(collect(first))];
    let next = 1;
    const fill = () => {
      while (next < parts && inFlight.length < concurrency)
        inFlight.push(observed(get(next++ * partBytes, etag).then(collect)));
    };
    try {
      fill();
      while (inFlight.length) {
        const part = await inFlight.shift()!;
        fill();
        if (part.length) yield part;
        spare.push(Buffer.from(part.buffer, part.byteOffset, partBytes)); // taken: the consumer asked for more
      }
    } finally {
      // A consumer that stops early (bad input, abort) leaves no request unobserved.
      await Promise.allSettled(inFlight);
    }
  }

  return { body: body(), size, lastModified: first.LastModified ?? new Date(0) };
}

/** `Content-Range: bytes 0-8388607/123456789` → 123456789; an empty object answers without a range. */
function totalSize(out: GetObjectCommandOutput): number {
  const match = /\/(\d+)$/.exec(out.ContentRange ?? '');
  return match ? Number(match[1]) : (out.ContentLength ?? 0);
}
