import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { RECONCILE_CURSOR_KEY } from '../../../contract/names.js';
import { cursorDocument, markerFromCursor, type ReconcileCursor } from '../reconcile.js';

/**
 * The reconciler's cursor as one small object in the data bucket (`RECONCILE_CURSOR_KEY`).
 * Scheduled runs never overlap (the timeout is shorter than the interval), so a plain write is
 * enough. A cursor that cannot be read as one is reported through `onUnreadable` and ignored: the
 * run starts at the top of `incoming/`.
 */
export function s3ReconcileCursor(
  s3: S3Client,
  bucket: string,
  onUnreadable: (error: Error) => void,
  now: () => Date = () => new Date(),
): ReconcileCursor {
  return {
    async read() {
      let text: string;
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: RECONCILE_CURSOR_KEY }));
        text = await out.Body!.transformToString();
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
      try {
        return markerFromCursor(text);
      } catch (error) {
        onUnreadable(error as Error);
        return undefined;
      }
    },
    async write(next) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: RECONCILE_CURSOR_KEY,
          Body: JSON.stringify(cursorDocument(next, now())),
          ContentType: 'application/json',
        }),
      );
    },
  };
}
