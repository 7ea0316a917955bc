import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/command.js';
import { describeJob, inputKey, restoreRequest } from '../../../src/cli/restore.js';
import type { Job } from '../../../src/runtime/job.js';

describe('restoreRequest', () => {
  it('keeps a Glacier or Deep Archive copy for the days asked', () => {
    expect(restoreRequest({ storageClass: 'DEEP_ARCHIVE' }, { days: 3, tier: 'Bulk' })).toEqual({
      Days: 3,
      GlacierJobParameters: { Tier: 'Bulk' },
    });
  });

  it('asks no days for Intelligent-Tiering, whose object moves back to its frequent tier', () => {
    const facts = { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'ARCHIVE_ACCESS' };
    expect(restoreRequest(facts, { days: 7, tier: 'Expedited' })).toEqual({
      GlacierJobParameters: { Tier: 'Expedited' },
    });
  });

  it('refuses Expedited from Deep Archive, which S3 does not offer', () => {
    expect(() => restoreRequest({ storageClass: 'DEEP_ARCHIVE' }, { days: 7, tier: 'Expedited' })).toThrow(
      new UsageError('--tier Expedited cannot restore from DEEP_ARCHIVE: use Standard or Bulk'),
    );
    const tier = { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'DEEP_ARCHIVE_ACCESS' };
    expect(() => restoreRequest(tier, { days: 7, tier: 'Expedited' })).toThrow(UsageError);
  });
});

describe('inputKey', () => {
  it('takes a key with or without incoming/', () => {
    expect(inputKey('incoming/run1/a.fq')).toBe('incoming/run1/a.fq');
    expect(inputKey('run1/a.fq')).toBe('incoming/run1/a.fq');
  });
});

describe('describeJob', () => {
  const job = (fields: Partial<Job>) => ({ jobId: '0123456789abcdef', ...fields }) as Job;

  it('says when a restore will not run the job again', () => {
    expect(describeJob(undefined)).toBe('it has no job');
    expect(describeJob(job({ status: 'FAILED', errorCode: 'INPUT_ARCHIVED' }))).toBe(
      'its job 01234567 is FAILED (INPUT_ARCHIVED)',
    );
    expect(describeJob(job({ status: 'SUCCEEDED' }))).toBe(
      'its job 01234567 is SUCCEEDED: a restore does not run it again',
    );
    expect(describeJob(job({ status: 'FAILED', errorCode: 'FASTQ_BAD_HEADER' }))).toBe(
      'its job 01234567 is FAILED (FASTQ_BAD_HEADER): a restore does not run it again (upload the object again to rerun it)',
    );
  });
});
