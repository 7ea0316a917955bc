import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/runtime/aws/clients.js';
import { INPUT_ARCHIVED } from '../../src/runtime/archive.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import { jobIdFor, type Job } from '../../src/runtime/job.js';
import { startTestCloud, type TestCloud } from '../support/local-cloud.js';

let test: TestCloud;
let jobs: JobsTable;

beforeAll(async () => {
  test = await startTestCloud();
  jobs = new JobsTable(createClients().ddb, test.cloud.table);
});
afterAll(() => test?.stop());

function newJob(key: string, leaseUntil: number, versionId: string | null = 'v1'): Job {
  const now = new Date('2026-01-01T00:00:00Z').toISOString();
  return {
    jobId: jobIdFor('bucket', key, versionId),
    bucket: 'bucket',
    key,
    versionId,
    size: 10,
    status: 'QUEUED',
    attempts: 1,
    createdAt: now,
    updatedAt: now,
    leaseUntil,
    expiresAt: 2_000_000_000,
  };
}

describe('JobsTable', () => {
  it('creates a job once and reports a repeated claim as a duplicate', async () => {
    const now = new Date();
    const job = newJob('incoming/once.fq', Math.floor(now.getTime() / 1000) + 600);
    expect((await jobs.claim(job, now)).outcome).toBe('created');
    const again = await jobs.claim(job, now);
    expect(again.outcome).toBe('duplicate');
    expect(again.job.attempts).toBe(1);
  });

  it('gives a new object version its own job', async () => {
    const now = new Date();
    const lease = Math.floor(now.getTime() / 1000) + 600;
    expect((await jobs.claim(newJob('incoming/v.fq', lease, 'v1'), now)).outcome).toBe('created');
    expect((await jobs.claim(newJob('incoming/v.fq', lease, 'v2'), now)).outcome).toBe('created');
  });

  it('lets a claim take over a job whose lease ran out, counting the attempt', async () => {
    const now = new Date();
    const job = newJob('incoming/stale.fq', Math.floor(now.getTime() / 1000) - 1);
    await jobs.claim(job, now);
    const retaken = await jobs.claim({ ...job, leaseUntil: Math.floor(now.getTime() / 1000) + 600 }, now);
    expect(retaken.outcome).toBe('reclaimed');
    expect(retaken.job.attempts).toBe(2);
    expect(retaken.job.status).toBe('QUEUED');
  });

  it('never reclaims a finished job, even with an old lease', async () => {
    const now = new Date();
    const job = newJob('incoming/done.fq', Math.floor(now.getTime() / 1000) - 1);
    await jobs.claim(job, now);
    await jobs.transition(job.jobId, 'FAILED', { error: 'bad header', errorCode: 'FASTQ_BAD_HEADER' }, now);
    expect((await jobs.claim(job, now)).outcome).toBe('duplicate');
  });

  it('never changes a SUCCEEDED job again', async () => {
    const now = new Date();
    const job = newJob('incoming/final.fq', Math.floor(now.getTime() / 1000) + 600);
    await jobs.claim(job, now);
    expect(await jobs.transition(job.jobId, 'SUCCEEDED', { resultKey: 'results/final.fq.json' }, now)).toBe(
      true,
    );
    expect(await jobs.transition(job.jobId, 'FAILED', { error: 'late crash report' }, now)).toBe(false);
    const stored = await jobs.get(job.jobId);
    expect(stored?.status).toBe('SUCCEEDED');
    expect(stored?.error).toBeUndefined();
  });

  it('resumes a job FAILED as INPUT_ARCHIVED once, and no other job', async () => {
    const now = new Date();
    const lease = Math.floor(now.getTime() / 1000) + 600;
    const failed = async (key: string, status: 'FAILED' | 'SUCCEEDED', errorCode?: string) => {
      const job = newJob(key, lease);
      await jobs.claim(job, now);
      await jobs.transition(
        job.jobId,
        status,
        { error: 'why', errorCode, finishedAt: now.toISOString() },
        now,
      );
      return job.jobId;
    };
    const archived = await failed('incoming/archived.fq', 'FAILED', INPUT_ARCHIVED);
    await jobs.transition(archived, 'FAILED', { taskArn: 'arn:task/last' }, now);
    const resumed = await jobs.resumeArchived(archived, lease, now);
    expect(resumed?.outcome).toBe('reclaimed');
    expect(resumed?.job).toMatchObject({ status: 'QUEUED', attempts: 2, open: 'OPEN', leaseUntil: lease });
    expect(resumed?.job).not.toHaveProperty('errorCode');
    expect(resumed?.job).not.toHaveProperty('finishedAt');
    expect(resumed?.job, "the last attempt's task").not.toHaveProperty('taskArn');
    expect((await jobs.resumeArchived(archived, lease, now))?.outcome, 'a repeated event').toBe('duplicate');

    const badInput = await failed('incoming/bad.fq', 'FAILED', 'FASTQ_BAD_HEADER');
    expect(await jobs.resumeArchived(badInput, lease, now)).toMatchObject({
      outcome: 'duplicate',
      job: { status: 'FAILED', errorCode: 'FASTQ_BAD_HEADER' },
    });
    const succeeded = await failed('incoming/ok.fq', 'SUCCEEDED');
    expect(await jobs.resumeArchived(succeeded, lease, now)).toMatchObject({
      outcome: 'duplicate',
      job: { status: 'SUCCEEDED' },
    });
    expect(await jobs.resumeArchived('no-such-job', lease, now), 'never creates a job').toBeUndefined();
    expect(await jobs.get('no-such-job')).toBeUndefined();
  });

  it('removes fields set to undefined and refuses to create a job by transition', async () => {
    const now = new Date();
    const job = newJob('incoming/clear.fq', Math.floor(now.getTime() / 1000) + 600);
    await jobs.claim(job, now);
    await jobs.transition(job.jobId, 'QUEUED', { error: 'throttled' }, now);
    await jobs.transition(job.jobId, 'RUNNING', { error: undefined, route: 'lambda' }, now);
    const stored = await jobs.get(job.jobId);
    expect(stored).toMatchObject({ status: 'RUNNING', route: 'lambda' });
    expect(stored).not.toHaveProperty('error');
    expect(await jobs.transition('no-such-job', 'RUNNING', {}, now)).toBe(false);
  });

  it('finds which of 250 job ids have an item, across the 100-key batches', async () => {
    const now = new Date();
    const lease = Math.floor(now.getTime() / 1000) + 600;
    const keys = Array.from({ length: 250 }, (_, i) => `incoming/batch/${i}.fq`);
    const stored = keys.filter((_, i) => i % 3 === 0);
    for (const key of stored) await jobs.claim(newJob(key, lease), now);
    const ids = keys.map((key) => jobIdFor('bucket', key, 'v1'));
    const found = await jobs.found([...ids, ids[0]!]);
    expect([...found].sort()).toEqual(stored.map((key) => jobIdFor('bucket', key, 'v1')).sort());
    expect(await jobs.found([])).toEqual(new Set());
  });

  it('lists a job whose dispatcher died right after creating it once its lease runs out', async () => {
    const now = new Date();
    const lease = Math.floor(now.getTime() / 1000) + 60;
    const job = newJob('incoming/orphan.fq', lease);
    expect((await jobs.claim(job, now)).outcome).toBe('created');
    // The event's retry comes within the lease: a duplicate, which leaves the job to the sweeper.
    expect((await jobs.claim(job, now)).outcome).toBe('duplicate');
    expect((await jobs.listExpired(now)).map((j) => j.jobId)).not.toContain(job.jobId);
    const later = new Date((lease + 1) * 1000);
    expect((await jobs.listExpired(later, 1000)).map((j) => j.jobId)).toContain(job.jobId);
  });
});
