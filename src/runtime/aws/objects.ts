import {
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { rangedRead } from './ranged-read.js';

export interface ObjectHead {
  size: number;
  /** `null` when the bucket is not versioned. */
  versionId: string | null;
  /** User metadata (`x-amz-meta-*`), names in lower case. */
  metadata: Record<string, string>;
}

export interface ObjectsOptions {
  /**
   * Ranged GETs in flight when reading a large input; 1 reads it as one stream.
   * @default 1
   */
  readConcurrency?: number;
  /** Bytes per ranged GET. @default 8 MiB */
  partBytes?: number;
}

/** Reads inputs and writes results. Inputs are only ever read: never rewritten or deleted. */
export class Objects {
  constructor(
    private readonly s3: S3Client,
    private readonly options: ObjectsOptions = {},
  ) {}

  async head(bucket: string, key: string, versionId?: string | null): Promise<ObjectHead> {
    const out = await this.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId ?? undefined }),
    );
    const reported = out.VersionId && out.VersionId !== 'null' ? out.VersionId : null;
    return { size: out.ContentLength ?? 0, versionId: reported, metadata: out.Metadata ?? {} };
  }

  /**
   * Streams one exact version, so a newer upload of the same key cannot change a running job's
   * input. An input of at least two parts (`size`, when known) is read with parallel ranged GETs
   * if `readConcurrency` allows.
   */
  async open(
    bucket: string,
    key: string,
    versionId: string | null,
    signal?: AbortSignal,
    size?: number,
  ): Promise<OpenedObject> {
    const concurrency = this.options.readConcurrency ?? 1;
    const partBytes = this.options.partBytes ?? 8 * 1024 * 1024;
    if (concurrency > 1 && size !== undefined && size >= 2 * partBytes) {
      const read = await rangedRead(this.s3, {
        bucket,
        key,
        versionId: versionId ?? undefined,
        partBytes,
        concurrency,
        signal,
      });
      return { body: read.body, lastModified: read.lastModified };
    }
    const out = await this.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId ?? undefined }),
      { abortSignal: signal },
    );
    if (!out.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    return { body: out.Body as Readable, lastModified: out.LastModified ?? new Date(0) };
  }

  /**
   * Writes a result unless a result of a newer input version is already there: the input's
   * LastModified travels in the result's metadata, and the write is conditional on the object
   * read (If-Match its ETag, or If-None-Match when there was none), so two jobs racing on one key
   * cannot interleave. Returns false when a newer version's result stays in place.
   */
  async publishResult(
    bucket: string,
    key: string,
    document: unknown,
    sourceLastModified: Date,
  ): Promise<boolean> {
    const body = JSON.stringify(document, null, 2) + '\n';
    for (let attempt = 1; attempt <= 5; attempt++) {
      const existing = await this.headResult(bucket, key);
      if (existing && existing.sourceLastModified > sourceLastModified.getTime()) return false;
      try {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
            Metadata: { [SOURCE_MODIFIED_METADATA]: String(sourceLastModified.getTime()) },
            ...(existing ? { IfMatch: existing.etag } : { IfNoneMatch: '*' }),
          }),
        );
        return true;
      } catch (error) {
        // Another writer got there between our read and our write: read again and decide again.
        if (!isPreconditionFailure(error)) throw error;
      }
    }
    throw new Error(`s3://${bucket}/${key} kept changing while the result was being written`);
  }

  private async headResult(
    bucket: string,
    key: string,
  ): Promise<{ etag: string; sourceLastModified: number } | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { etag: out.ETag!, sourceLastModified: Number(out.Metadata?.[SOURCE_MODIFIED_METADATA] ?? 0) };
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
      throw error;
    }
  }
}

/** Result metadata: when the input version the result was computed from was uploaded (epoch ms). */
export const SOURCE_MODIFIED_METADATA = 'source-last-modified';

export interface OpenedObject {
  body: Readable | AsyncIterable<Uint8Array>;
  lastModified: Date;
}

function isPreconditionFailure(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'PreconditionFailed' ||
    e.$metadata?.httpStatusCode === 412 ||
    e.name === 'ConditionalRequestConflict'
  );
}
