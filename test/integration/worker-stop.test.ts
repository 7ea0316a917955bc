/**
 * The worker as a container: it validates its settings before it claims a job, puts its job back
 * when ECS tells it to stop, and gives up on an input that stops sending bytes — against the
 * emulator, and, for the stall, a real HTTP server that sends part of a body and then nothing.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Env, FORCED_ROUTE_METADATA, WORKER_CONTAINER_NAME } from '../../contract/names.js';
import { createClients, type Clients } from '../../src/runtime/aws/clients.js';
import { Objects } from '../../src/runtime/aws/objects.js';
import type { LauncherDeps } from '../../src/runtime/launcher.js';
import { launchQueued } from '../support/launch-queue.js';
import { dispatchObject, type DispatchDeps } from '../../src/runtime/dispatch.js';
import { jobIdFor } from '../../src/runtime/job.js';
import type { RedriveDeps } from '../../src/runtime/redrive.js';
import { InputStalledError } from '../../src/runtime/stall-watchdog.js';
import { recordTaskStopped, type TaskStateDetail } from '../../src/runtime/task-state.js';
import { runWorker, WorkerExit } from '../../src/runtime/worker.js';
import { fastqBuffer } from '../../local/synthetic-inputs.js';
import { pipelineDeps } from '../support/pipeline-deps.js';
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
  ({ deps, redrive, launcher } = pipelineDeps(test.cloud, clients, { maxObjectBytes: 500_000_000 }));
});
afterAll(() => test?.stop());

/** An object routed to ECS, and the environment ECS would give its worker. */
async function dispatchToEcs(key: string, body: Buffer) {
  const out = await clients.s3.send(
    new PutObjectCommand({
      Bucket: test.cloud.bucket,
      Key: key,
      Body: body,
      Metadata: { [FORCED_ROUTE_METADATA]: 'ecs' },
    }),
  );
  const ref = { bucket: test.cloud.bucket, key, versionId: out.VersionId ?? null };
  await dispatchObject(ref, deps);
  const id = jobIdFor(ref.bucket, ref.key, ref.versionId);
  await launchQueued(clients.sqs, launcher, id);
  const job = (await deps.jobs.get(id))!;
  const env = {
    ...process.env,
    [Env.JOB_TIMEOUT_SECONDS]: '600',
    [Env.JOB_ID]: job.jobId,
    [Env.JOB_BUCKET]: ref.bucket,
    [Env.JOB_KEY]: ref.key,
  };
  return { job, env };
}

function stoppedDetail(taskArn: string, jobId: string, exitCode: number, stopCode: string): TaskStateDetail {
  return {
    taskArn,
    lastStatus: 'STOPPED',
    stopCode,
    stoppedReason: stopCode === 'UserInitiated' ? 'Task stopped by user' : 'Your Spot Task was interrupted.',
    containers: [{ name: WORKER_CONTAINER_NAME, exitCode }],
    overrides: {
      containerOverrides: [
        { name: WORKER_CONTAINER_NAME, environment: [{ name: Env.JOB_ID, value: jobId }] },
      ],
    },
  };
}

/** Runs the worker and aborts `stop` as soon as the job is RUNNING, as ECS's SIGTERM would. */
async function runAndStop(env: NodeJS.ProcessEnv, jobId: string): Promise<number> {
  const stop = new AbortController();
  const watcher = (async () => {
    while (!stop.signal.aborted) {
      if ((await deps.jobs.get(jobId))?.status === 'RUNNING') stop.abort(new Error('SIGTERM'));
      else await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const code = await runWorker(env, deps, { stop: stop.signal });
  stop.abort();
  await watcher;
  return code;
}

describe('worker settings', () => {
  it('leaves the job QUEUED, not RUNNING, when its time limit setting is bad', async () => {
    const { job, env } = await dispatchToEcs(
      'incoming/stop/bad-setting.fq',
      fastqBuffer({ reads: 5, seed: 1 }),
    );
    await expect(runWorker({ ...env, [Env.JOB_TIMEOUT_SECONDS]: 'soon' }, deps)).rejects.toThrow(
      /JOB_TIMEOUT_SECONDS must be a positive number/,
    );
    expect(await deps.jobs.get(job.jobId)).toMatchObject({ status: 'QUEUED', attempts: 1 });
    expect((await deps.jobs.get(job.jobId))!.startedAt).toBeUndefined();
  });
});

describe('a worker told to stop (SIGTERM)', () => {
  it('puts its job back QUEUED with an expired lease, exits 3, and the stop event re-drives it at once', async () => {
    const { job, env } = await dispatchToEcs(
      'incoming/stop/spot.fq',
      fastqBuffer({ reads: 200_000, seed: 2 }),
    );
    expect(await runAndStop(env, job.jobId)).toBe(WorkerExit.putBack);
    const putBack = (await deps.jobs.get(job.jobId))!;
    expect(putBack).toMatchObject({ status: 'QUEUED', leaseUntil: 0, errorCode: 'WORKER_INTERRUPTED' });
    // The sweeper would pick it up on its next pass, should the stop event be lost.
    expect((await deps.jobs.listExpired(new Date())).map((j) => j.jobId)).toContain(job.jobId);
    const detail = stoppedDetail(job.taskArn!, job.jobId, WorkerExit.putBack, 'SpotInterruption');
    expect(await recordTaskStopped(detail, WORKER_CONTAINER_NAME, redrive)).toBe('redriven');
    expect(await launchQueued(clients.sqs, launcher, job.jobId)).toEqual(['launched']);
    const next = (await deps.jobs.get(job.jobId))!;
    expect(next).toMatchObject({ status: 'QUEUED', attempts: 2 });
    expect(next.taskArn).not.toBe(job.taskArn);
    // The next task runs it to the end, once.
    expect(await runWorker(env, deps)).toBe(WorkerExit.succeeded);
    expect(await deps.jobs.get(job.jobId)).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('still fails the job when a person stopped the task', async () => {
    const { job, env } = await dispatchToEcs(
      'incoming/stop/by-person.fq',
      fastqBuffer({ reads: 200_000, seed: 3 }),
    );
    expect(await runAndStop(env, job.jobId)).toBe(WorkerExit.putBack);
    const detail = stoppedDetail(job.taskArn!, job.jobId, WorkerExit.putBack, 'UserInitiated');
    expect(await recordTaskStopped(detail, WORKER_CONTAINER_NAME, redrive)).toBe('failed');
    expect(await deps.jobs.get(job.jobId)).toMatchObject({
      status: 'FAILED',
      errorCode: 'WORKER_STOPPED',
      attempts: 1,
    });
  });
});

describe('a stalled input read', () => {
  let server: http.Server;
  let s3: S3Client;
  const size = 64 * 1024 * 1024;

  beforeAll(async () => {
    // Answers every GET with headers and 64 KiB of a larger body, then sends nothing more.
    server = http.createServer((req, res) => {
      res.writeHead(req.headers.range ? 206 : 200, {
        'content-length': String(req.headers.range ? 4 * 1024 * 1024 : size),
        'content-range': `bytes 0-${4 * 1024 * 1024 - 1}/${size}`,
        'last-modified': new Date().toUTCString(),
        etag: '"stalls"',
      });
      res.write(Buffer.alloc(64 * 1024, 'A'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, maxAttempts: 1 });
  });
  afterAll(async () => {
    s3?.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function drain(objects: Objects, size?: number) {
    const opened = await objects.open('bucket', 'incoming/stalls.fq', null, { size });
    for await (const chunk of opened.body) void chunk;
  }

  it.each([
    ['one stream', 1, undefined],
    ['ranged GETs', 4, size],
  ])('fails as INPUT_STALLED within the bound, read as %s', async (_, readConcurrency, knownSize) => {
    const objects = new Objects(s3, { readConcurrency, stallSeconds: 1 });
    const started = Date.now();
    const error = await drain(objects, knownSize).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(InputStalledError);
    expect(error).toMatchObject({ code: 'INPUT_STALLED', seconds: 1 });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
  });

  it('makes the worker put its job back as INPUT_STALLED, to be run again at once', async () => {
    const { job, env } = await dispatchToEcs('incoming/stop/stalls.fq', fastqBuffer({ reads: 5, seed: 4 }));
    const stalling = { ...deps, objects: new Objects(s3, { readConcurrency: 1, stallSeconds: 1 }) };
    expect(await runWorker(env, stalling)).toBe(WorkerExit.putBack);
    expect(await deps.jobs.get(job.jobId)).toMatchObject({
      status: 'QUEUED',
      leaseUntil: 0,
      errorCode: 'INPUT_STALLED',
    });
  });
});
