import { describe, expect, it } from 'vitest';
import { countByStatus, JOB_COLUMNS, selectJobs } from '../../../src/cli/jobs.js';
import { renderTable } from '../../../src/cli/result-table.js';
import type { Job } from '../../../src/runtime/job.js';

function job(key: string, status: Job['status'], createdAt: string, extra: Partial<Job> = {}): Job {
  return {
    jobId: key,
    bucket: 'b',
    key,
    versionId: null,
    size: 1,
    status,
    attempts: 1,
    createdAt,
    updatedAt: createdAt,
    expiresAt: 0,
    ...extra,
  };
}

describe('the jobs listing', () => {
  const jobs = [
    job('incoming/c.fq', 'FAILED', '2026-01-01T00:00:03Z', {
      route: 'lambda',
      error: `bad record\nat line 4: ${'x'.repeat(200)}`,
    }),
    job('incoming/a.fq', 'SUCCEEDED', '2026-01-01T00:00:01Z', {
      route: 'ecs',
      attempts: 2,
      durationMs: 61_250,
    }),
    job('incoming/b.csv', 'RUNNING', '2026-01-01T00:00:02Z'),
  ];

  it('lists jobs oldest first, and only those with the status asked for', () => {
    expect(selectJobs(jobs).map((j) => j.key)).toEqual(['incoming/a.fq', 'incoming/b.csv', 'incoming/c.fq']);
    expect(selectJobs(jobs, 'FAILED').map((j) => j.key)).toEqual(['incoming/c.fq']);
  });

  it('counts jobs by status in the order a job goes through them', () => {
    expect(countByStatus(jobs)).toBe('1 RUNNING, 1 SUCCEEDED, 1 FAILED');
    expect(countByStatus([])).toBe('no jobs');
  });

  it('shows file, status, route, attempts, duration and a one-line error', () => {
    const lines = renderTable(JOB_COLUMNS, selectJobs(jobs)).split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['file', 'status', 'route', 'attempts', 'duration', 'error']);
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['a.fq', 'SUCCEEDED', 'ecs', '2', '61.3 s']);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(['b.csv', 'RUNNING', '-', '1', '-']);
    const error = lines[3]!.split(/\s{2,}/).at(-1)!;
    expect(error.startsWith('bad record at line 4: xxx')).toBe(true);
    expect(error).toHaveLength(80);
    expect(error.endsWith('…')).toBe(true);
  });
});
