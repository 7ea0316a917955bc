import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ListedPage, ListMarker } from '../reconcile.js';

/** One page (up to 1,000) of the object versions under `prefix`; delete markers are left out. */
export async function listVersionsPage(
  s3: S3Client,
  bucket: string,
  prefix: string,
  from?: ListMarker,
): Promise<ListedPage> {
  const out = await s3.send(
    new ListObjectVersionsCommand({
      Bucket: bucket,
      Prefix: prefix,
      KeyMarker: from?.keyMarker,
      VersionIdMarker: from?.keyMarker === undefined ? undefined : from.versionIdMarker,
    }),
  );
  const versions = (out.Versions ?? []).map((v) => ({
    key: v.Key!,
    versionId: v.VersionId === undefined || v.VersionId === 'null' ? null : v.VersionId,
    lastModified: v.LastModified!,
    size: v.Size ?? 0,
  }));
  const next = out.IsTruncated
    ? { keyMarker: out.NextKeyMarker!, versionIdMarker: out.NextVersionIdMarker }
    : undefined;
  return { versions, next };
}
