/**
 * The S3 adapter against the emulator: what HeadObject reports of an archived input, and the
 * INPUT_ARCHIVED failure a read of one ends in (a worker whose input was archived after the
 * dispatcher looked), streamed or in ranged parts.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/api.js';
import { createClients } from '../../src/runtime/aws/clients.js';
import { Objects } from '../../src/runtime/aws/objects.js';
import { startTestCloud, type TestCloud } from '../support/local-cloud.js';

let test: TestCloud;

beforeAll(async () => {
  test = await startTestCloud();
});
afterAll(() => test?.stop());

async function put(key: string, body: Buffer, storageClass?: 'DEEP_ARCHIVE' | 'GLACIER_IR') {
  const { s3 } = createClients();
  const out = await s3.send(
    new PutObjectCommand({ Bucket: test.cloud.bucket, Key: key, Body: body, StorageClass: storageClass }),
  );
  return { s3, versionId: out.VersionId ?? null };
}

describe('an archived input', () => {
  it('is reported with its storage class and no restore', async () => {
    const { s3 } = await put('incoming/deep.fq', Buffer.from('@r\nACGT\n+\nIIII\n'), 'DEEP_ARCHIVE');
    const head = await new Objects(s3, { readConcurrency: 1 }).head(test.cloud.bucket, 'incoming/deep.fq');
    expect(head).toMatchObject({ storageClass: 'DEEP_ARCHIVE', restore: undefined });
  });

  it.each([
    ['as one stream', 1],
    ['in ranged parts', 3],
  ])('fails a read %s as INPUT_ARCHIVED, naming the command that restores it', async (_, readConcurrency) => {
    const key = `incoming/deep-${readConcurrency}.fq`;
    const body = Buffer.alloc(3 * 1024 * 1024, 'A');
    const { s3, versionId } = await put(key, body, 'DEEP_ARCHIVE');
    const objects = new Objects(s3, { readConcurrency, partBytes: 1024 * 1024 });
    const error = await objects
      .open(test.cloud.bucket, key, versionId, { size: body.length })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'INPUT_ARCHIVED' });
    expect((error as Error).message).toContain(`run \`pipeline restore ${key} --version-id ${versionId}\``);
  });

  it('reads Glacier Instant Retrieval as it is', async () => {
    const { s3, versionId } = await put(
      'incoming/instant.fq',
      Buffer.from('@r\nACGT\n+\nIIII\n'),
      'GLACIER_IR',
    );
    const opened = await new Objects(s3, { readConcurrency: 1 }).open(
      test.cloud.bucket,
      'incoming/instant.fq',
      versionId,
    );
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString()).toBe('@r\nACGT\n+\nIIII\n');
  });
});
