/**
 * The pipeline's steps against the emulator: dispatch, run, hand-off, refusals and task-state
 * records, each checked in the jobs table, the bucket, the emulated ECS and the shared folder.
 */
import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Env, WORKER_CONTAINER_NAME } from '../../contract/names.js';
import { createClients, type Clients } from '../../src/runtime/aws/clients.js';
import { LaunchQueue } from '../../src/runtime/aws/launch-queue.js';
import type { LauncherDeps, LaunchOutcome } from '../../src/runtime/launcher.js';
import { launchQueued as drainOnce } from '../support/launch-queue.js';
import { jobIdFor, type ResultDocument } from '../../src/runtime/job.js';
import { sharedResultPath } from '../../src/runtime/keys.js';
import { FORCED_ROUTE_METADATA } from '../../contract/names.js';
import { dispatchObject, type DispatchDeps } from '../../src/runtime/dispatch.js';
import { sweepExpired, type RedriveDeps } from '../../src/runtime/redrive.js';
import { recordTaskStopped, type TaskStateDetail } from '../../src/runtime/task-state.js';
import { runWorker } from '../../src/runtime/worker.js';
import { fastqBuffer } from '../../local/synthetic-inputs.js';
import { pipelineDeps, workerTasks } from '../support/pipeline-deps.js';
import { startTestCloud, type TestCloud } from '../support/local-cloud.js';

let test: TestCloud;
let clients: Clients;
let deps: DispatchDeps;
let redrive: RedriveDeps;
let launcher: LauncherDeps;

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  test = await startTestCloud();
  clients = createClients();
  ({ deps, redrive, launcher } = pipelineDeps(test.cloud, clients, { maxObjectBytes: 50_000_000 }));
});

/** One pass of the launch queue's event source, as the local cloud's runner makes them. */
function launchQueued(jobId: string, with_: LauncherDeps = launcher): Promise<LaunchOutcome[]> {
  return drainOnce(clients.sqs, with_, jobId);
}
afterAll(() => test?.stop());

async function put(key: string, body: Buffer | string, metadata?: Record<string, string>) {
  const out = await clients.s3.send(
    new PutObjectCommand({ Bucket: test.cloud.bucket, Key: key, Body: body, Metadata: metadata }),
  );
  return { bucket: test.cloud.bucket, key, versionId: out.VersionId ?? null };
}

async function overridesOf(taskArn: string): Promise<Record<string, string>> {
  const ecs = new ECSClient({});
  const out = await ecs.send(new DescribeTasksCommand({ cluster: test.cloud.clusterArn, tasks: [taskArn] }));
  const env = out.tasks?.[0]?.overrides?.containerOverrides?.find(
    (o) => o.name === WORKER_CONTAINER_NAME,
  )?.environment;
  return Object.fromEntries((env ?? []).map((e) => [e.name, e.value]));
}

describe('dispatchObject', () => {
  it('runs a small FASTQ inside the dispatcher and publishes to S3 and the shared folder', async () => {
    const ref = await put('incoming/unit/small.fq', fastqBuffer({ reads: 50, seed: 1 }));
    const out = await dispatchObject(ref, deps);
    expect(out.outcome).toBe('succeeded');
    const job = await deps.jobs.get(jobIdFor(ref.bucket, ref.key, ref.versionId));
    expect(job).toMatchObject({
      status: 'SUCCEEDED',
      route: 'lambda',
      attempts: 1,
      resultKey: 'results/unit/small.fq.json',
    });
    expect(job!.routing?.reason).toContain('≤ budget');
    const shared = JSON.parse(await readFile(sharedResultPath(test.cloud.sharedDir, ref.key), 'utf8'));
    expect(shared.report.fastq.reads).toBe(50);
    expect(shared.job).toMatchObject({ route: 'lambda', versionId: ref.versionId });
  });

  it('turns a repeated event for the same version into a no-op', async () => {
    const ref = await put('incoming/unit/twice.fq', fastqBuffer({ reads: 5, seed: 2 }));
    expect((await dispatchObject(ref, deps)).outcome).toBe('succeeded');
    const again = await dispatchObject(ref, deps);
    expect(again.outcome).toBe('duplicate');
    expect((await deps.jobs.get(jobIdFor(ref.bucket, ref.key, ref.versionId)))!.attempts).toBe(1);
  });

  it('starts an ECS task with the object as container overrides when the policy says so', async () => {
    const ref = await put('incoming/unit/forced.fq', fastqBuffer({ reads: 5, seed: 3 }), {
      [FORCED_ROUTE_METADATA]: 'ecs',
    });
    const out = await dispatchObject(ref, deps);
    expect(out).toMatchObject({ outcome: 'dispatched', handedOff: false });
    const id = jobIdFor(ref.bucket, ref.key, ref.versionId);
    expect(await launchQueued(id)).toEqual(['launched']);
    const job = await deps.jobs.get(id);
    expect(job).toMatchObject({ status: 'QUEUED', route: 'ecs' });
    expect(await overridesOf(job!.taskArn!)).toEqual({
      [Env.JOB_ID]: job!.jobId,
      [Env.JOB_BUCKET]: ref.bucket,
      [Env.JOB_KEY]: ref.key,
      [Env.JOB_VERSION_ID]: ref.versionId,
    });
  });

  it('ignores a forced route it does not know, and says so in the routing reason', async () => {
    const ref = await put('incoming/unit/unknown-route.fq', fastqBuffer({ reads: 5, seed: 5 }), {
      [FORCED_ROUTE_METADATA]: 'fargate',
    });
    const out = await dispatchObject(ref, deps);
    expect(out.outcome).toBe('succeeded');
    const job = await deps.jobs.get(jobIdFor(ref.bucket, ref.key, ref.versionId));
    expect(job).toMatchObject({ status: 'SUCCEEDED', route: 'lambda' });
    expect(job!.routing?.reason).toContain(`${FORCED_ROUTE_METADATA}="fargate" ignored`);
  });

  it('hands a job to ECS when Lambda time runs short instead of timing out', async () => {
    const ref = await put('incoming/unit/slow.fq', fastqBuffer({ reads: 20_000, seed: 4 }));
    const deadline = AbortSignal.abort(new Error('time is up'));
    const out = await dispatchObject(ref, deps, { deadline, endsAt: Date.now() + 1000 });
    expect(out).toMatchObject({ outcome: 'dispatched', handedOff: true });
    const id = jobIdFor(ref.bucket, ref.key, ref.versionId);
    expect(await deps.jobs.get(id)).toMatchObject({ status: 'QUEUED', route: 'ecs' });
    expect((await deps.jobs.get(id))!.taskArn).toBeUndefined();
    expect(await launchQueued(id)).toEqual(['launched']);
    const job = await deps.jobs.get(id);
    expect(job).toMatchObject({ status: 'QUEUED', route: 'ecs' });
    expect(job!.routing?.reason).toContain('handed to ECS');
    expect((await overridesOf(job!.taskArn!))[Env.JOB_KEY]).toBe(ref.key);
    expect(job!.resultKey).toBeUndefined();
  });

  it('fails an unknown format and an oversized object without running anything', async () => {
    const pdf = await put('incoming/unit/report.pdf', '%PDF-1.7');
    const big = await put('incoming/unit/big.fq', fastqBuffer({ reads: 5, seed: 5 }));
    const small = { ...deps, maxObjectBytes: 10 };
    expect((await dispatchObject(pdf, deps)).outcome).toBe('failed');
    expect((await dispatchObject(big, small)).outcome).toBe('failed');
    expect(await deps.jobs.get(jobIdFor(pdf.bucket, pdf.key, pdf.versionId))).toMatchObject({
      status: 'FAILED',
      errorCode: 'UNSUPPORTED_FORMAT',
      error: expect.stringContaining('report.pdf'),
    });
    expect(await deps.jobs.get(jobIdFor(big.bucket, big.key, big.versionId))).toMatchObject({
      status: 'FAILED',
      errorCode: 'TOO_LARGE',
    });
  });

  it('fails a key whose result key would not fit S3, before running anything', async () => {
    const key = `incoming/${'k'.repeat(1024 - 'incoming/'.length - 3)}.fq`;
    const ref = await put(key, fastqBuffer({ reads: 5, seed: 16 }));
    expect((await dispatchObject(ref, deps)).outcome).toBe('failed');
    expect(await deps.jobs.get(jobIdFor(ref.bucket, ref.key, ref.versionId))).toMatchObject({
      status: 'FAILED',
      errorCode: 'KEY_TOO_LONG',
    });
  });

  it('fails bad input with the core message and never touches the input', async () => {
    const body = '@r1\nACGT\n+\nIII\n';
    const ref = await put('incoming/unit/mismatch.fq', body);
    expect((await dispatchObject(ref, deps)).outcome).toBe('failed');
    const job = await deps.jobs.get(jobIdFor(ref.bucket, ref.key, ref.versionId));
    expect(job).toMatchObject({ status: 'FAILED', route: 'lambda' });
    expect(job!.error).toMatch(/line 4/);
    const head = await clients.s3.send(
      new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId! }),
    );
    expect(head.ContentLength).toBe(body.length);
    expect(existsSync(sharedResultPath(test.cloud.sharedDir, ref.key))).toBe(false);
  });

  it('keeps the result an earlier attempt of the same input version wrote, as one object version', async () => {
    const input = await put('incoming/unit/repeat.fq', fastqBuffer({ reads: 12, seed: 16 }));
    expect((await dispatchObject(input, deps)).outcome).toBe('succeeded');
    const job = (await deps.jobs.get(jobIdFor(input.bucket, input.key, input.versionId)))!;
    const document = { job: { ...job, attempts: 2 }, report: {} } as unknown as ResultDocument;
    // A second attempt that ran after the first wrote its result but died before recording it.
    const head = await clients.s3.send(new HeadObjectCommand({ Bucket: input.bucket, Key: input.key }));
    expect(await deps.objects.publishResult(input.bucket, job.resultKey!, document, head.LastModified!)).toBe(
      true,
    );
    const versions = await clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: input.bucket, Prefix: job.resultKey! }),
    );
    expect(versions.Versions?.filter((v) => v.Key === job.resultKey)).toHaveLength(1);
  });

  it('gives a new version its own job and never lets an older version overwrite a newer result', async () => {
    const older = await put('incoming/unit/versions.fq', fastqBuffer({ reads: 10, seed: 14 }));
    await new Promise((r) => setTimeout(r, 1100)); // S3 LastModified has one-second resolution
    const newer = await put('incoming/unit/versions.fq', fastqBuffer({ reads: 20, seed: 15 }));
    expect(newer.versionId).not.toBe(older.versionId);
    // The newer upload's job finishes first; the older one's arrives late.
    expect((await dispatchObject(newer, deps)).outcome).toBe('succeeded');
    expect((await dispatchObject(older, deps)).outcome).toBe('succeeded');
    const late = await deps.jobs.get(jobIdFor(older.bucket, older.key, older.versionId));
    expect(late).toMatchObject({ status: 'SUCCEEDED', superseded: true });
    const result = await clients.s3.send(
      new GetObjectCommand({ Bucket: older.bucket, Key: 'results/unit/versions.fq.json' }),
    );
    const document = JSON.parse(await result.Body!.transformToString());
    expect(document.job.versionId).toBe(newer.versionId);
    expect(document.report.fastq.reads).toBe(20);
    const shared = JSON.parse(await readFile(sharedResultPath(test.cloud.sharedDir, older.key), 'utf8'));
    expect(shared.job.versionId).toBe(newer.versionId);
  });

  it('ignores objects outside incoming/', async () => {
    const ref = await put('results/unit/x.fq.json', '{}');
    expect(await dispatchObject(ref, deps)).toMatchObject({ outcome: 'ignored' });
  });

  it('releases the job for the retry when the launch queue cannot take it', async () => {
    const ref = await put('incoming/unit/no-queue.fq', fastqBuffer({ reads: 5, seed: 6 }), {
      [FORCED_ROUTE_METADATA]: 'ecs',
    });
    const missing = test.cloud.launchQueueUrl.replace(/[^/]+$/, 'no-such-queue');
    const broken = { ...deps, launches: new LaunchQueue(clients.sqs, missing) };
    await expect(dispatchObject(ref, broken)).rejects.toThrow();
    const id = jobIdFor(ref.bucket, ref.key, ref.versionId);
    expect(await deps.jobs.get(id)).toMatchObject({ status: 'QUEUED', leaseUntil: 0 });
    const retried = await dispatchObject(ref, deps);
    expect(retried.outcome).toBe('dispatched');
    expect(await deps.jobs.get(id)).toMatchObject({ attempts: 2, route: 'ecs' });
    expect(await launchQueued(id)).toEqual(['launched']);
  });
});

describe('the launcher', () => {
  async function queued(name: string) {
    const ref = await put(`incoming/launch/${name}.fq`, fastqBuffer({ reads: 5, seed: 30 }), {
      [FORCED_ROUTE_METADATA]: 'ecs',
    });
    await dispatchObject(ref, deps);
    return jobIdFor(ref.bucket, ref.key, ref.versionId);
  }

  it('waits below the running-task cap: requests beyond it go back to the queue, the job still waiting', async () => {
    const id = await queued('capped');
    const full = { ...launcher, activeTasks: async () => 5, maxRunningTasks: 5 };
    const before = (await deps.jobs.get(id))!.leaseUntil!;
    expect(await launchQueued(id, full)).toEqual(['deferred']);
    const waiting = await deps.jobs.get(id);
    expect(waiting).toMatchObject({ status: 'QUEUED', attempts: 1 });
    expect(waiting!.taskArn).toBeUndefined();
    // Waiting is not abandonment: the lease reaches past the request's next delivery.
    expect(waiting!.leaseUntil).toBeGreaterThanOrEqual(before);
    // The request comes back (after the backoff the launcher set) and is served once there is room.
    let outcomes: LaunchOutcome[] = [];
    for (let tries = 0; tries < 10 && outcomes[0] !== 'launched'; tries++) outcomes = await launchQueued(id);
    expect(outcomes).toEqual(['launched']);
    expect((await deps.jobs.get(id))!.taskArn).toBeDefined();
  }, 60_000);

  it('starts one task per request: a repeated request for the same attempt is stale', async () => {
    const id = await queued('repeated');
    await deps.launches.request({ jobId: id, attempt: 1 });
    expect((await launchQueued(id)).sort()).toEqual(['launched', 'stale']);
  });

  it('fails the job with the reason when ECS refuses the task for good', async () => {
    const id = await queued('refused');
    const missingCluster = {
      ...launcher,
      tasks: workerTasks(test.cloud, clients, 'arn:aws:ecs:us-east-1:123456789012:cluster/missing'),
    };
    expect(await launchQueued(id, missingCluster)).toEqual(['refused']);
    expect(await deps.jobs.get(id)).toMatchObject({
      status: 'FAILED',
      errorCode: 'TASK_LAUNCH_REFUSED',
      error: expect.stringMatching(/^ECS refused the worker task: /),
    });
  });
});

describe('worker, task state and sweeper', () => {
  async function dispatchToEcs(key: string, body: Buffer | string) {
    const ref = await put(key, body, { [FORCED_ROUTE_METADATA]: 'ecs' });
    await dispatchObject(ref, deps);
    await launchQueued(jobIdFor(ref.bucket, ref.key, ref.versionId));
    const job = (await deps.jobs.get(jobIdFor(ref.bucket, ref.key, ref.versionId)))!;
    // The task definition's environment plus the overrides, as ECS gives the container.
    const taskEnv = { [Env.JOB_TIMEOUT_SECONDS]: '600' };
    return { job, env: { ...process.env, ...taskEnv, ...(await overridesOf(job.taskArn!)) } };
  }

  function stopped(taskArn: string, jobId: string, exitCode?: number, reason?: string): TaskStateDetail {
    return {
      taskArn,
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: WORKER_CONTAINER_NAME, exitCode, reason }],
      overrides: {
        containerOverrides: [
          { name: WORKER_CONTAINER_NAME, environment: [{ name: Env.JOB_ID, value: jobId }] },
        ],
      },
    };
  }

  it('runs the job named by the overrides and exits 0', async () => {
    const { job, env } = await dispatchToEcs('incoming/unit/worker.fq', fastqBuffer({ reads: 30, seed: 7 }));
    expect(await runWorker(env, deps)).toBe(0);
    expect(await deps.jobs.get(job.jobId)).toMatchObject({ status: 'SUCCEEDED', route: 'ecs' });
    expect(await recordTaskStopped(stopped(job.taskArn!, job.jobId, 0), WORKER_CONTAINER_NAME, redrive)).toBe(
      'succeeded',
    );
  });

  it('exits 1 on bad input, and the stop event keeps the worker’s own message', async () => {
    const { job, env } = await dispatchToEcs('incoming/unit/worker-bad.fq', '>not fastq\nACGT\n');
    expect(await runWorker(env, deps)).toBe(1);
    const outcome = await recordTaskStopped(
      stopped(job.taskArn!, job.jobId, 1),
      WORKER_CONTAINER_NAME,
      redrive,
    );
    expect(outcome).toBe('already-final');
    expect((await deps.jobs.get(job.jobId))!.error).toMatch(/line 1/);
  });

  it('re-drives a crashed worker’s job, then fails it with the exit code after the last attempt', async () => {
    const { job } = await dispatchToEcs('incoming/unit/worker-crash.fq', fastqBuffer({ reads: 3, seed: 8 }));
    let current = job;
    for (let attempt = 1; attempt < redrive.maxAttempts; attempt++) {
      expect(
        await recordTaskStopped(stopped(current.taskArn!, job.jobId, 139), WORKER_CONTAINER_NAME, redrive),
      ).toBe('redriven');
      // The new attempt waits in the launch queue for its task.
      expect(await deps.jobs.get(job.jobId)).toMatchObject({ attempts: attempt + 1 });
      expect((await deps.jobs.get(job.jobId))!.taskArn).toBeUndefined();
      expect(await launchQueued(job.jobId)).toEqual(['launched']);
      const next = (await deps.jobs.get(job.jobId))!;
      expect(next).toMatchObject({ status: 'QUEUED', attempts: attempt + 1, route: 'ecs' });
      expect(next.taskArn).not.toBe(current.taskArn);
      expect((await overridesOf(next.taskArn!))[Env.JOB_ID]).toBe(job.jobId);
      current = next;
    }
    expect(
      await recordTaskStopped(stopped(current.taskArn!, job.jobId, 139), WORKER_CONTAINER_NAME, redrive),
    ).toBe('failed');
    expect(await deps.jobs.get(job.jobId)).toMatchObject({
      status: 'FAILED',
      exitCode: 139,
      errorCode: 'WORKER_STOPPED',
      error: 'worker exited with code 139: Essential container in task exited (gave up after 3 attempts)',
    });
  });

  it('fails at once a worker that ran out of memory: a retry would too', async () => {
    const { job } = await dispatchToEcs('incoming/unit/worker-oom.fq', fastqBuffer({ reads: 3, seed: 10 }));
    const detail = stopped(
      job.taskArn!,
      job.jobId,
      137,
      'OutOfMemoryError: Container killed due to memory usage',
    );
    expect(await recordTaskStopped(detail, WORKER_CONTAINER_NAME, redrive)).toBe('failed');
    expect(await deps.jobs.get(job.jobId)).toMatchObject({
      status: 'FAILED',
      errorCode: 'WORKER_OUT_OF_MEMORY',
      attempts: 1,
    });
  });

  it('ignores the stop of an earlier attempt’s task', async () => {
    const { job } = await dispatchToEcs('incoming/unit/worker-stale.fq', fastqBuffer({ reads: 3, seed: 11 }));
    await recordTaskStopped(stopped(job.taskArn!, job.jobId, 2), WORKER_CONTAINER_NAME, redrive);
    expect(await recordTaskStopped(stopped(job.taskArn!, job.jobId, 2), WORKER_CONTAINER_NAME, redrive)).toBe(
      'stale-task',
    );
    expect((await deps.jobs.get(job.jobId))!.attempts).toBe(2);
  });

  it('ignores tasks that are not ours and states other than STOPPED', async () => {
    const detail = stopped('arn:aws:ecs:us-east-1:123456789012:task/x/y', 'unused', 1);
    expect(await recordTaskStopped({ ...detail, overrides: {} }, WORKER_CONTAINER_NAME, redrive)).toBe(
      'not-a-job',
    );
    expect(
      await recordTaskStopped({ ...detail, lastStatus: 'RUNNING' }, WORKER_CONTAINER_NAME, redrive),
    ).toBe('not-stopped');
  });

  it('fails a job that runs past the worker’s time limit, for good', async () => {
    const { job, env } = await dispatchToEcs(
      'incoming/unit/worker-slow.fq',
      fastqBuffer({ reads: 20_000, seed: 17 }),
    );
    expect(await runWorker({ ...env, [Env.JOB_TIMEOUT_SECONDS]: '0.001' }, deps)).toBe(1);
    expect(await deps.jobs.get(job.jobId)).toMatchObject({ status: 'FAILED', errorCode: 'TIMED_OUT' });
    expect(await recordTaskStopped(stopped(job.taskArn!, job.jobId, 1), WORKER_CONTAINER_NAME, redrive)).toBe(
      'already-final',
    );
  });

  it('refuses overrides that do not match the job', async () => {
    const { env } = await dispatchToEcs(
      'incoming/unit/worker-mismatch.fq',
      fastqBuffer({ reads: 3, seed: 9 }),
    );
    await expect(runWorker({ ...env, [Env.JOB_KEY]: 'incoming/other.fq' }, deps)).rejects.toThrow(/not s3:/);
  });

  it('sweeps jobs whose lease ran out: re-drives them, and fails those out of attempts', async () => {
    const lost = await dispatchToEcs('incoming/unit/lost.fq', fastqBuffer({ reads: 3, seed: 12 }));
    const spent = await dispatchToEcs('incoming/unit/spent.fq', fastqBuffer({ reads: 3, seed: 13 }));
    const later = new Date(Date.now() + 3600 * 1000);
    await deps.jobs.transition(spent.job.jobId, 'RUNNING', { attempts: 3 }, new Date());
    // Other tests' unfinished jobs share the table, so count at least ours.
    const counts = await sweepExpired({ ...redrive, now: () => later });
    expect(counts.redriven).toBeGreaterThanOrEqual(1);
    expect(counts.failed).toBeGreaterThanOrEqual(1);
    expect(await deps.jobs.get(lost.job.jobId)).toMatchObject({ status: 'QUEUED', attempts: 2 });
    expect(await deps.jobs.get(spent.job.jobId)).toMatchObject({ status: 'FAILED', errorCode: 'ABANDONED' });
    // Finished jobs left the open-jobs index; the re-driven one has a fresh lease.
    expect(await deps.jobs.listExpired(new Date())).toEqual([]);
  });
});
