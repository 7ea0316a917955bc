/**
 * An upload in an archive class: its job fails as INPUT_ARCHIVED with the command to run,
 * `pipeline restore` starts the restore, and when it completes (s3:ObjectRestore:Completed) the
 * same job runs again and succeeds, once. Against the moto cloud with its runner, whose restore
 * clock makes a restore take a few seconds instead of S3's hours.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalCloud, type RunningLocalCloud } from '../../local/cloud.js';
import { motoOutputs } from '../../local/emulators.js';
import { localAwsEnv } from '../../local/resources.js';
import { localOutputsFile } from '../../src/cli/local-cloud.js';
import { waitForJobs } from '../../src/cli/watch-jobs.js';
import { createClients } from '../../src/runtime/aws/clients.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import type { Job } from '../../src/runtime/job.js';
import { runPipeline, type ConsoleOutcome } from '../support/pipeline-cli.js';
import { localTargetOnly } from './target-name.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FASTQ = path.join(ROOT, 'test/fixtures/fastq/variable-lengths.fq');
const KEY = 'incoming/cold/variable-lengths.fq';
/** Long enough to see a restore under way between two commands. */
const RESTORE_SECONDS = 5;

function pipeline(stateDir: string, ...args: string[]): Promise<ConsoleOutcome> {
  return runPipeline(args, { LOCAL_STATE_DIR: stateDir });
}

async function allJobs(jobs: JobsTable): Promise<Job[]> {
  const all: Job[] = [];
  for await (const job of jobs.list()) all.push(job);
  return all;
}

const skip = localTargetOnly("restores are timed by the moto cloud's restore clock");

describe.skipIf(skip)('an archived upload', () => {
  it('fails as INPUT_ARCHIVED, and after `pipeline restore` runs again and succeeds, once', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-archive-'));
    let local: RunningLocalCloud | undefined;
    try {
      local = await startLocalCloud({ port: 0, stateDir, restoreSeconds: RESTORE_SECONDS });
      Object.assign(process.env, localAwsEnv(local.cloud.endpoint, local.cloud.region));
      await writeFile(localOutputsFile({ stateDir }), JSON.stringify(motoOutputs(local)));
      const { s3, ddb } = createClients();
      const jobs = new JobsTable(ddb, local.cloud.table);

      // Prepare: an upload straight into Deep Archive.
      const submitted = await pipeline(
        stateDir,
        'submit',
        FASTQ,
        '--prefix',
        'cold',
        '--storage-class',
        'DEEP_ARCHIVE',
      );
      expect(submitted.stderr).toContain(`uploaded ${KEY}`);
      expect(submitted.code).toBe(0);
      const uploadedAt = Date.now();
      let listed: Job[] = [];
      for (let i = 0; i < 100 && listed.length === 0; i++) {
        listed = await allJobs(jobs);
        if (!listed.length) await new Promise((r) => setTimeout(r, 100));
      }
      const jobId = listed[0]!.jobId;
      const failed = (await waitForJobs(jobs, [jobId], { timeoutMs: 60_000 })).get(jobId)!;
      expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'INPUT_ARCHIVED', attempts: 1, key: KEY });
      expect(failed.error).toBe(
        `the input is in DEEP_ARCHIVE and cannot be read until it is restored: run \`pipeline restore ${KEY} --version-id ${failed.versionId}\`; the job runs again when the restore completes`,
      );

      // Act: the command the message names. (Moto reports a restore asked for within its step
      // of the upload as done at once; S3 never does, so the test asks later.)
      await new Promise((r) =>
        setTimeout(r, Math.max(0, uploadedAt + RESTORE_SECONDS * 1000 + 500 - Date.now())),
      );
      const started = await pipeline(
        stateDir,
        'restore',
        KEY,
        '--version-id',
        failed.versionId!,
        '--days',
        '2',
      );
      expect(started.stderr).toBe('');
      expect(started.stdout).toContain(
        `restore of s3://${local.cloud.bucket}/${KEY} (version ${failed.versionId}) from DEEP_ARCHIVE started (Standard tier); the copy stays readable for 2 day(s)`,
      );
      expect(started.stdout).toContain(
        'is FAILED (INPUT_ARCHIVED); it runs again when the restore completes',
      );
      expect(started.code).toBe(0);
      const again = await pipeline(stateDir, 'restore', 'cold/variable-lengths.fq');
      expect(again.stdout).toContain(`a restore of s3://${local.cloud.bucket}/${KEY} is already under way`);
      expect(again.code).toBe(0);

      // Assess: the restore completes on its own and the same job runs again, once.
      // The job stays FAILED until the restore completes, so wait for its second attempt to end.
      let done = failed;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
        done = (await jobs.get(jobId))!;
        if (done.attempts > 1 && (done.status === 'SUCCEEDED' || done.status === 'FAILED')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(done).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 2,
        resultKey: 'results/cold/variable-lengths.fq.json',
      });
      expect(done).not.toHaveProperty('errorCode');
      const result = JSON.parse(
        await (
          await s3.send(new GetObjectCommand({ Bucket: local.cloud.bucket, Key: done.resultKey! }))
        ).Body!.transformToString(),
      ) as { job: { attempt: number }; report: { fastq?: { reads: number } } };
      expect(result.job.attempt).toBe(2);
      expect(result.report.fastq?.reads).toBe(7);

      const restored = await pipeline(stateDir, 'restore', KEY);
      expect(restored.stdout).toMatch(/is already restored \(readable until .+\)/);
      expect(restored.stdout).toContain('is SUCCEEDED: a restore does not run it again');
      expect(restored.code).toBe(0);
      const invocations = local.runner.stats.dispatcherInvocations;
      await new Promise((r) => setTimeout(r, 1500));
      expect(local.runner.stats.dispatcherInvocations, 'nothing more was dispatched').toBe(invocations);
      expect(await allJobs(jobs)).toEqual([
        expect.objectContaining({ jobId, status: 'SUCCEEDED', attempts: 2 }),
      ]);
    } finally {
      await local?.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
