import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONCILE_CURSOR_KEY } from '../../contract/names.js';
import { createClients } from '../../src/runtime/aws/clients.js';
import { s3ReconcileCursor } from '../../src/runtime/aws/reconcile-cursor.js';
import { startTestCloud, type TestCloud } from '../support/local-cloud.js';

let test: TestCloud;
beforeAll(async () => {
  test = await startTestCloud();
});
afterAll(() => test?.stop());

describe('s3ReconcileCursor', () => {
  it('has no marker before the first write, then reads back what was written', async () => {
    const { s3 } = createClients();
    const unreadable: Error[] = [];
    const cursor = s3ReconcileCursor(s3, test.cloud.bucket, (error) => unreadable.push(error));
    expect(await cursor.read()).toBeUndefined();
    const marker = { keyMarker: 'incoming/run 7/b.fq.gz', versionIdMarker: 'v3' };
    await cursor.write(marker);
    expect(await cursor.read()).toEqual(marker);
    await cursor.write(undefined);
    expect(await cursor.read()).toBeUndefined();
    expect(unreadable).toEqual([]);
  });

  it('reports an object that is not a cursor and starts from the top', async () => {
    const { s3 } = createClients();
    await s3.send(
      new PutObjectCommand({ Bucket: test.cloud.bucket, Key: RECONCILE_CURSOR_KEY, Body: 'half a wr' }),
    );
    const unreadable: Error[] = [];
    const cursor = s3ReconcileCursor(s3, test.cloud.bucket, (error) => unreadable.push(error));
    expect(await cursor.read()).toBeUndefined();
    expect(unreadable).toHaveLength(1);
  });
});
