import {
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DEFAULT_PART_BYTES, rangedRead } from './ranged-read.js';
import { ObjectSlices } from './object-slices.js';
import { nudgingCollector } from './collector-nudge.js';
import { openWatched } from '../stall-watchdog.js';
import { archivedInputError, archiveState, isReadable, type StorageFacts } from '../archive.js';
import { resultDocumentText, type ResultDocument } from '../job.js';

export interface ObjectHead extends StorageFacts {
  size: number;
  /** `null` when the bucket is not versioned. */
  versionId: string | null;
  /** User metadata (`x-amz-meta-*`), names in lower case. */
  metadata: Record<string, string>;
}

export interface ObjectsOptions {
  /**
   * Ranged GETs in flight when reading a large input; 1 reads it as one stream. Deployments set
   * it from the config (`s3ReadConcurrency`), through `S3_READ_CONCURRENCY`.
   */
  readConcurrency: number;
  /** Bytes per ranged GET. @default DEFAULT_PART_BYTES (4 MiB) */
  partBytes?: number;
  /**
   * Seconds an input read may go without a byte (waiting for response headers or for the next
   * chunk) before it fails with `InputStalledError`. Deployments set it from the config
   * (`inputStallSeconds`), through `INPUT_STALL_SECONDS`.
   * @default - no limit
   */
  stallSeconds?: number;
}

/** Reads inputs and writes results. Inputs are only ever read: never rewritten or deleted. */
export class Objects {
  constructor(
    private readonly s3: S3Client,
    private readonly options: ObjectsOptions,
  ) {}

  async head(bucket: string, key: string, versionId?: string | null): Promise<ObjectHead> {
    const out = await this.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId ?? undefined }),
    );
    const reported = out.VersionId && out.VersionId !== 'null' ? out.VersionId : null;
    return {
      size: out.ContentLength ?? 0,
      versionId: reported,
      metadata: out.Metadata ?? {},
      storageClass: out.StorageClass,
      archiveStatus: out.ArchiveStatus,
      restore: out.Restore,
    };
  }

  /**
   * The object as a source the job core can read in slices (`runJobInSlices`), one ranged GET
   * each, `readConcurrency` of them. Undefined where one connection is asked for (a
   * `readConcurrency` of 1).
   */
  slices(bucket: string, key: string, versionId: string | null, size: number): ObjectSlices | undefined {
    const { stallSeconds, readConcurrency: slices } = this.options;
    if (slices < 2) return undefined;
    return new ObjectSlices({ bucket, key, versionId, size, slices, s3: this.s3, stallSeconds });
  }

  /**
   * Streams one exact version, so a newer upload of the same key cannot change a running job's
   * input. An input of at least two parts (`size`, when known) is read with parallel ranged GETs
   * if `readConcurrency` allows. Like a file read by the job core, a chunk of the body is valid
   * until the next one is asked for: its buffer may then be filled again. An input in an archive
   * class that has no restored copy fails with an `InputError` (`INPUT_ARCHIVED`).
   */
  async open(
    bucket: string,
    key: string,
    versionId: string | null,
    options: OpenObjectOptions = {},
  ): Promise<OpenedObject> {
    return openWatched(
      (signal) => this.read(bucket, key, versionId, { ...options, signal }),
      this.options.stallSeconds,
      options.signal,
    );
  }

  private async read(
    bucket: string,
    key: string,
    versionId: string | null,
    options: OpenObjectOptions,
  ): Promise<OpenedObject> {
    try {
      return await this.readVersion(bucket, key, versionId, options);
    } catch (error) {
      if ((error as { name?: string }).name !== 'InvalidObjectState') throw error;
      // Archived after the dispatcher looked (a lifecycle rule, an Intelligent-Tiering move):
      // HeadObject says where it is, for the message.
      const head = await this.head(bucket, key, versionId);
      const state = archiveState(head);
      if (isReadable(state)) throw error;
      throw archivedInputError(key, versionId, head, state);
    }
  }

  private async readVersion(
    bucket: string,
    key: string,
    versionId: string | null,
    { signal, size }: OpenObjectOptions,
  ): Promise<OpenedObject> {
    const concurrency = this.options.readConcurrency;
    const partBytes = this.options.partBytes ?? DEFAULT_PART_BYTES;
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
    return {
      body: nudgingCollector(out.Body as AsyncIterable<Uint8Array>),
      lastModified: out.LastModified ?? new Date(0),
    };
  }

  /**
   * Writes a result unless a result of a newer input version is already there: the input's
   * LastModified travels in the result's metadata, and every write is conditional (If-None-Match
   * for the first result of a key, If-Match the ETag just read after that), so two jobs racing on
   * one key cannot interleave. The first write is tried blind: without s3:ListBucket, reading a
   * key that does not exist yet answers 403, not 404. Returns false when a newer version's result
   * stays in place. A result of the very same input version (an earlier attempt of this job wrote
   * it and was stopped before it could say so) is kept as it is: one object version per result.
   */
  async publishResult(
    bucket: string,
    key: string,
    document: ResultDocument,
    sourceLastModified: Date,
  ): Promise<boolean> {
    const body = resultDocumentText(document);
    const put = (condition: { IfMatch: string } | { IfNoneMatch: '*' }) =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          Metadata: {
            [SOURCE_MODIFIED_METADATA]: String(sourceLastModified.getTime()),
            ...(document.job.versionId === null ? {} : { [SOURCE_VERSION_METADATA]: document.job.versionId }),
          },
          ...condition,
        }),
      );
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await put({ IfNoneMatch: '*' });
        return true;
      } catch (error) {
        if (!isPreconditionFailure(error)) throw error;
      }
      // A result is there: keep it if it is of a newer input, else replace exactly that one.
      const existing = await this.s3
        .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        .catch((error: unknown) => {
          if (error instanceof NotFound) return undefined; // deleted meanwhile
          throw error;
        });
      if (!existing) continue;
      if (
        document.job.versionId !== null &&
        existing.Metadata?.[SOURCE_VERSION_METADATA] === document.job.versionId
      ) {
        return true;
      }
      const existingSource = Number(existing.Metadata?.[SOURCE_MODIFIED_METADATA] ?? 0);
      if (existingSource > sourceLastModified.getTime()) return false;
      try {
        await put({ IfMatch: existing.ETag! });
        return true;
      } catch (error) {
        // Another writer got there between our read and our write: read again and decide again.
        if (!isPreconditionFailure(error)) throw error;
      }
    }
    throw new Error(`s3://${bucket}/${key} kept changing while the result was being written`);
  }
}

/** Result metadata: when the input version the result was computed from was uploaded (epoch ms). */
const SOURCE_MODIFIED_METADATA = 'source-last-modified';

/** Result metadata: the version id of the input version the result was computed from. */
const SOURCE_VERSION_METADATA = 'source-version-id';

export interface OpenObjectOptions {
  signal?: AbortSignal;
  /**
   * The object's size, from its HEAD: an input of at least two parts is then read with parallel
   * ranged GETs where `readConcurrency` allows.
   * @default - unknown: one GET
   */
  size?: number;
}

export interface OpenedObject {
  body: AsyncIterable<Uint8Array>;
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
