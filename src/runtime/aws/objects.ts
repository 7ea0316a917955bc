import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

export interface ObjectHead {
  size: number;
  /** `null` when the bucket is not versioned. */
  versionId: string | null;
  /** User metadata (`x-amz-meta-*`), names in lower case. */
  metadata: Record<string, string>;
}

/** Reads inputs and writes results. Inputs are only ever read: never rewritten or deleted. */
export class Objects {
  constructor(private readonly s3: S3Client) {}

  async head(bucket: string, key: string, versionId?: string | null): Promise<ObjectHead> {
    const out = await this.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId ?? undefined }),
    );
    const reported = out.VersionId && out.VersionId !== 'null' ? out.VersionId : null;
    return { size: out.ContentLength ?? 0, versionId: reported, metadata: out.Metadata ?? {} };
  }

  /** Streams one exact version, so a newer upload of the same key cannot change a running job's input. */
  async open(bucket: string, key: string, versionId: string | null, signal?: AbortSignal): Promise<Readable> {
    const out = await this.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId ?? undefined }),
      { abortSignal: signal },
    );
    if (!out.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    return out.Body as Readable;
  }

  async putJson(bucket: string, key: string, document: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(document, null, 2) + '\n',
        ContentType: 'application/json',
      }),
    );
  }
}
