import { describe, expect, it } from 'vitest';
import { invocationLines, taskLine } from '../../../local/console-lines.js';
import type { InvocationReport } from '../../../local/lambda-pool.js';
import type { DispatchOutcome } from '../../../src/runtime/dispatch.js';
import { jobIdFor, type Job } from '../../../src/runtime/job.js';

const bucket = 'data';
const s3Event = (key: string) => ({
  Records: [{ s3: { bucket: { name: bucket }, object: { key, versionId: 'v1' } } }],
});
const job = (fields: Partial<Job>): Job =>
  ({ jobId: '1a2b3c4d5e6f', bucket, key: 'incoming/x.fastq', status: 'QUEUED', ...fields }) as Job;
const report = (functionName: string, fields: Partial<InvocationReport>): InvocationReport => ({
  functionName,
  ok: true,
  durationMs: 412,
  attempt: 1,
  event: {},
  ...fields,
});
const dispatched = (outcome: DispatchOutcome, key = 'incoming/x.fastq') =>
  invocationLines(report('dispatcher', { event: s3Event(key), result: [outcome] }));

describe('the lines npm run local prints', () => {
  it('names the object, the job and its outcome for each dispatch', () => {
    expect(dispatched({ outcome: 'succeeded', job: job({ route: 'lambda', status: 'SUCCEEDED' }) })).toEqual([
      'dispatcher s3://data/incoming/x.fastq job 1a2b3c4d → lambda: SUCCEEDED (412 ms)',
    ]);
    expect(
      dispatched({
        outcome: 'failed',
        job: job({ route: 'lambda', status: 'FAILED', error: 'line 5: bad' }),
      }),
    ).toEqual(['dispatcher s3://data/incoming/x.fastq job 1a2b3c4d → lambda: FAILED: line 5: bad (412 ms)']);
    expect(dispatched({ outcome: 'dispatched', job: job({ route: 'ecs' }), handedOff: false })).toEqual([
      'dispatcher s3://data/incoming/x.fastq job 1a2b3c4d → ecs: QUEUED, worker task started (412 ms)',
    ]);
    expect(dispatched({ outcome: 'duplicate', job: job({ status: 'RUNNING' }) })[0]).toMatch(
      /job 1a2b3c4d repeated event, job already RUNNING/,
    );
  });

  it('decodes the key and names the job of an invocation that failed', () => {
    const lines = invocationLines(
      report('dispatcher', {
        ok: false,
        attempt: 2,
        error: 'timed out',
        event: s3Event('incoming/run+1/%C3%A9.fq'),
      }),
    );
    const jobId = jobIdFor(bucket, 'incoming/run 1/é.fq', 'v1');
    expect(lines).toEqual([
      `dispatcher s3://data/incoming/run 1/é.fq job ${jobId.slice(0, 8)} attempt 2 failed: timed out (412 ms)`,
    ]);
  });

  it('keeps the sweeper quiet unless it re-drove or failed a job', () => {
    expect(invocationLines(report('sweeper', { result: { redriven: 0, failed: 0, raced: 1 } }))).toEqual([]);
    expect(invocationLines(report('sweeper', { result: { redriven: 1, failed: 2, raced: 0 } }))).toEqual([
      'sweeper: abandoned jobs re-driven 1, failed 2 (412 ms)',
    ]);
    expect(invocationLines(report('sweeper', { ok: false, error: 'no table' }))).toEqual([
      'sweeper attempt 1 failed: no table (412 ms)',
    ]);
  });

  it('speaks for the task-state function only when a lost worker left it a job to deal with', () => {
    const event = {
      detail: {
        overrides: { containerOverrides: [{ environment: [{ name: 'JOB_ID', value: '1a2b3c4d5e6f' }] }] },
      },
    };
    expect(invocationLines(report('task-state', { event, result: 'succeeded' }))).toEqual([]);
    expect(invocationLines(report('task-state', { event, result: 'redriven' }))).toEqual([
      'task-state job 1a2b3c4d: worker lost, job re-driven on ECS (412 ms)',
    ]);
  });

  it('names the job and the object of a worker task, and what its exit code means', () => {
    const task = {
      taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/0f1e2d3c4b5a',
      jobId: '1a2b3c4d5e6f',
      bucket,
      key: 'incoming/big.fq.gz',
    };
    expect(taskLine(task)).toBe('worker task 0f1e2d3c started: job 1a2b3c4d s3://data/incoming/big.fq.gz');
    expect(taskLine({ ...task, exitCode: 137, durationMs: 900 })).toBe(
      'worker task 0f1e2d3c stopped: job 1a2b3c4d s3://data/incoming/big.fq.gz, exit code 137 (killed) (900 ms)',
    );
    expect(taskLine({ ...task, exitCode: 0, durationMs: 900 })).toMatch(/exit code 0 \(job done\)/);
  });
});
