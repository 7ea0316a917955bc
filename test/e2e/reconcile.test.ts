/**
 * Nothing is lost when an event is: an upload whose S3 event never reached the dispatcher gets its
 * job from the reconciler, and an event that failed every retry is given another run by
 * `pipeline redrive` from the on-failure queue. Against the moto cloud with its runner.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalCloud, type RunningLocalCloud, type StartLocalCloudOptions } from '../../local/cloud.js';
import { motoOutputs } from '../../local/emulators.js';
import { localAwsEnv, localClientConfig } from '../../local/resources.js';
import type { InvocationReport } from '../../local/runner.js';
import { localOutputsFile } from '../../src/cli/local-cloud.js';
import { waitForJobs } from '../../src/cli/watch-jobs.js';
import { createClients } from '../../src/runtime/aws/clients.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import { jobIdFor } from '../../src/runtime/job.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runPipeline, type ConsoleOutcome } from '../support/pipeline-cli.js';
import { localTargetOnly } from './target-name.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FASTQ = path.join(ROOT, 'test/fixtures/fastq/variable-lengths.fq');

async function withCloud(
  runner: StartLocalCloudOptions['runner'],
  test: (local: RunningLocalCloud, stateDir: string) => Promise<void>,
): Promise<void> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-reconcile-'));
  const local = await startLocalCloud({ port: 0, stateDir, runner: { retryDelayMs: 100, ...runner } });
  try {
    Object.assign(process.env, localAwsEnv(local.cloud.endpoint, local.cloud.region));
    await test(local, stateDir);
  } finally {
    await local.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function upload(local: RunningLocalCloud, key: string): Promise<string> {
  const { s3 } = createClients();
  const put = await s3.send(
    new PutObjectCommand({ Bucket: local.cloud.bucket, Key: key, Body: await readFile(FASTQ) }),
  );
  return jobIdFor(local.cloud.bucket, key, put.VersionId ?? null);
}

/** The reconciler's answer to one run (what the handler returned). */
async function reconcileOnce(local: RunningLocalCloud): Promise<Record<string, unknown>> {
  let summary: unknown;
  const listen = (r: InvocationReport) => {
    if (r.functionName === 'reconciler') summary = r.result;
  };
  local.runner.on('invocation', listen);
  try {
    await local.runner.reconcileNow();
  } finally {
    local.runner.off('invocation', listen);
  }
  expect(summary, 'the reconciler returned its summary').toBeDefined();
  return summary as Record<string, unknown>;
}

/** `pipeline <command>` in its own process, against the cloud the outputs file names. */
function pipeline(stateDir: string, ...args: string[]): Promise<ConsoleOutcome> {
  return runPipeline(args, { LOCAL_STATE_DIR: stateDir });
}

const skip = localTargetOnly('lost events and exhausted retries are made by the local runner');

describe.skipIf(skip)('reconcile', () => {
  it('gives an upload whose event never arrived exactly one job, once', async () => {
    // The runner consumes no notification: the upload's event is lost, as S3 rarely loses one.
    await withCloud(
      { withholdObjectEvents: true, reconcileIntervalMs: 0, reconcileGraceSeconds: 0 },
      async (local) => {
        const jobs = new JobsTable(createClients().ddb, local.cloud.table);
        const jobId = await upload(local, 'incoming/lost event/reads.fq');
        await new Promise((r) => setTimeout(r, 1500));
        expect(await jobs.get(jobId), 'no event, no job').toBeUndefined();

        const first = await reconcileOnce(local);
        expect(first).toMatchObject({ submitted: 1, withJob: 0 });
        const done = await waitForJobs(jobs, [jobId], { timeoutMs: 60_000 });
        expect(done.get(jobId)).toMatchObject({
          status: 'SUCCEEDED',
          attempts: 1,
          key: 'incoming/lost event/reads.fq',
        });
        const invocations = local.runner.stats.dispatcherInvocations;

        const second = await reconcileOnce(local);
        expect(second).toMatchObject({ submitted: 0, withJob: 1 });
        expect(local.runner.stats.dispatcherInvocations, 'the second run invoked nothing').toBe(invocations);
        const all: unknown[] = [];
        for await (const job of jobs.list()) all.push(job);
        expect(all).toHaveLength(1);
      },
    );
  });

  it('goes on from where the last run stopped, so every upload is reached however many there are', async () => {
    await withCloud(
      { withholdObjectEvents: true, reconcileIntervalMs: 0, reconcileGraceSeconds: 0, reconcileMaxPerRun: 1 },
      async (local) => {
        const jobs = new JobsTable(createClients().ddb, local.cloud.table);
        const ids = [];
        for (const name of ['a', 'b', 'c']) ids.push(await upload(local, `incoming/cursor/${name}.fq`));
        const runs = [];
        for (let run = 0; run < 3; run++) runs.push(await reconcileOnce(local));
        // Each run lists only what the last one left: a run from the top would meet a.fq again.
        expect(runs.map((r) => [r.listed, r.submitted, r.withJob])).toEqual([
          [1, 1, 0],
          [1, 1, 0],
          [1, 1, 0],
        ]);
        expect(runs[0]!.startedAt).toBeUndefined();
        expect(runs[1]!.startedAt).toMatchObject({ keyMarker: 'incoming/cursor/a.fq' });
        expect(runs[2]!.unfinishedAt, 'the third run reached the end').toBeUndefined();
        const done = await waitForJobs(jobs, ids, { timeoutMs: 60_000 });
        expect([...done.values()].map((job) => job.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);

        const after = await reconcileOnce(local);
        expect(after, 'the listing starts at the top again').toMatchObject({
          listed: 3,
          withJob: 3,
          submitted: 0,
        });
      },
    );
  });
});

describe.skipIf(skip)('pipeline redrive', () => {
  it('gives an event that failed every retry another run once the cause is fixed', async () => {
    await withCloud({ reconcileIntervalMs: 0 }, async (local, stateDir) => {
      await writeFile(localOutputsFile({ stateDir }), JSON.stringify(motoOutputs(local)));
      const jobs = new JobsTable(createClients().ddb, local.cloud.table);
      const table = local.cloud.table;
      // A misconfigured dispatcher: its jobs table does not exist, so every attempt throws.
      local.cloud.table = `${table}-missing`;
      const failures: InvocationReport[] = [];
      local.runner.on('invocation', (r: InvocationReport) => {
        if (r.functionName === 'dispatcher' && !r.ok) failures.push(r);
      });
      const jobId = await upload(local, 'incoming/failed event.fq');
      const sqs = new SQSClient(localClientConfig(local.cloud.endpoint, local.cloud.region));
      const queued = async () =>
        Number(
          (
            await sqs.send(
              new GetQueueAttributesCommand({
                QueueUrl: local.cloud.onFailureQueueUrl,
                AttributeNames: ['ApproximateNumberOfMessages'],
              }),
            )
          ).Attributes?.ApproximateNumberOfMessages,
        );
      const deadline = Date.now() + 60_000;
      while ((await queued()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await queued(), 'the event is in the on-failure queue').toBe(1);
      expect(failures.length, 'one try and two retries').toBe(3);
      expect(await jobs.get(jobId)).toBeUndefined();

      local.cloud.table = table;
      const out = await pipeline(stateDir, 'redrive');
      expect(out.stderr).toBe('');
      expect(out.stdout).toContain('resubmitted: incoming/failed event.fq');
      expect(out.stdout).toContain('1 resubmitted, 0 skipped, 0 not accepted');
      expect(out.code).toBe(0);
      const done = await waitForJobs(jobs, [jobId], { timeoutMs: 60_000 });
      expect(done.get(jobId)).toMatchObject({ status: 'SUCCEEDED' });
      expect(await queued(), 'the message is deleted').toBe(0);

      const again = await pipeline(stateDir, 'redrive');
      expect(again.stdout).toContain('0 resubmitted, 0 skipped, 0 not accepted');
      sqs.destroy();
    });
  });
});
