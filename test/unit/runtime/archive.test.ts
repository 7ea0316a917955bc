import type { S3EventRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/api.js';
import {
  archivedInputError,
  archiveState,
  INPUT_ARCHIVED,
  isReadable,
  restoreCommand,
  restoredUntil,
  type StorageFacts,
} from '../../../src/runtime/archive.js';
import { objectRefFromRecord } from '../../../src/runtime/events.js';

const RESTORED = 'ongoing-request="false", expiry-date="Fri, 04 Dec 2026 00:00:00 GMT"';

describe('archiveState', () => {
  it.each<[string, StorageFacts, string]>([
    ['STANDARD (no class header)', {}, 'readable'],
    ['STANDARD_IA', { storageClass: 'STANDARD_IA' }, 'readable'],
    ['Glacier Instant Retrieval, read in milliseconds', { storageClass: 'GLACIER_IR' }, 'readable'],
    ['Intelligent-Tiering in an access tier', { storageClass: 'INTELLIGENT_TIERING' }, 'readable'],
    ['GLACIER', { storageClass: 'GLACIER' }, 'archived'],
    ['DEEP_ARCHIVE', { storageClass: 'DEEP_ARCHIVE' }, 'archived'],
    [
      "Intelligent-Tiering's Archive Access tier",
      { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'ARCHIVE_ACCESS' },
      'archived',
    ],
    [
      "Intelligent-Tiering's Deep Archive Access tier",
      { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'DEEP_ARCHIVE_ACCESS' },
      'archived',
    ],
    [
      'DEEP_ARCHIVE with a restore under way',
      { storageClass: 'DEEP_ARCHIVE', restore: 'ongoing-request="true"' },
      'restoring',
    ],
    ['DEEP_ARCHIVE with a restored copy', { storageClass: 'DEEP_ARCHIVE', restore: RESTORED }, 'restored'],
    [
      'Intelligent-Tiering restored out of its archive tier',
      { storageClass: 'INTELLIGENT_TIERING', restore: 'ongoing-request="false"' },
      'restored',
    ],
  ])('classifies %s', (_, facts, state) => {
    expect(archiveState(facts)).toBe(state);
  });

  it('lets only a readable or restored input be read', () => {
    expect(['readable', 'restored', 'restoring', 'archived'].map((s) => isReadable(s as never))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it("reads a restored copy's expiry from the Restore header", () => {
    expect(restoredUntil(RESTORED)).toBe('Fri, 04 Dec 2026 00:00:00 GMT');
    expect(restoredUntil('ongoing-request="true"')).toBeUndefined();
    expect(restoredUntil(undefined)).toBeUndefined();
  });
});

describe('archivedInputError', () => {
  it('fails an archived input as INPUT_ARCHIVED with the command that restores its version', () => {
    const error = archivedInputError(
      'incoming/run 1/a.fq',
      'v7',
      { storageClass: 'DEEP_ARCHIVE' },
      'archived',
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe(INPUT_ARCHIVED);
    expect(error.message).toBe(
      "the input is in DEEP_ARCHIVE and cannot be read until it is restored: run `pipeline restore 'incoming/run 1/a.fq' --version-id v7`; the job runs again when the restore completes",
    );
  });

  it('names the Intelligent-Tiering tier, and says so when a restore is already under way', () => {
    const facts = { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'DEEP_ARCHIVE_ACCESS' };
    expect(archivedInputError('incoming/a.fq', null, facts, 'restoring').message).toBe(
      'the input is in the DEEP_ARCHIVE_ACCESS tier of INTELLIGENT_TIERING and its restore is under way: the job runs again when the restore completes',
    );
  });
});

describe('restoreCommand', () => {
  it('quotes keys a shell would split, and leaves plain ones bare', () => {
    expect(restoreCommand('incoming/a.fq.gz', null)).toBe('pipeline restore incoming/a.fq.gz');
    expect(restoreCommand("incoming/it's here.fq", null)).toBe(
      "pipeline restore 'incoming/it'\\''s here.fq'",
    );
  });
});

describe('objectRefFromRecord', () => {
  const record = (eventName: string) =>
    ({
      eventName,
      s3: { bucket: { name: 'b' }, object: { key: 'incoming/a+b.fq', versionId: 'v1' } },
    }) as unknown as S3EventRecord;

  it('tells a completed restore from an upload', () => {
    expect(objectRefFromRecord(record('ObjectRestore:Completed'))).toEqual({
      bucket: 'b',
      key: 'incoming/a b.fq',
      versionId: 'v1',
      event: 'restored',
    });
    expect(objectRefFromRecord(record('ObjectCreated:Put')).event).toBe('created');
    expect(objectRefFromRecord(record('ObjectCreated:CompleteMultipartUpload')).event).toBe('created');
  });
});
