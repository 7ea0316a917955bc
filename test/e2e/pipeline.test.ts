/**
 * The pipeline end to end: objects go in through S3, jobs come out in the jobs table, results in
 * `results/` and on the shared file system. The same cases run on every target (E2E_TARGET:
 * local by default, localstack, aws); what a target cannot run is skipped with its reason.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCOMING_PREFIX } from '../../contract/names.js';
import { runJob, type JobReport } from '../../src/core/index.js';
import { jobIdFor, type Job, type ResultDocument } from '../../src/runtime/job.js';
import { sharedResultPath } from '../../src/runtime/keys.js';
import { FORCED_ROUTE_METADATA } from '../../contract/names.js';
import { waitForJobs } from '../../src/cli/watch-jobs.js';
import { writeCsv, writeFastq } from '../../local/synthetic-inputs.js';
import { startTarget, targetName, type E2ETarget } from './targets.js';

const name = targetName();
let target: E2ETarget;
let dir: string;
const run = `e2e-${Date.now()}`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-e2e-inputs-'));
  target = await startTarget(name);
  for (const [part, bridge] of Object.entries(target.bridges ?? {}))
    console.info(`${name} bridge (${part}): ${bridge}`);
}, 600_000);

afterAll(async () => {
  await target?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Uploaded {
  key: string;
  file: string;
  jobId: string;
  versionId: string | null;
}

async function upload(key: string, file: string, metadata?: Record<string, string>): Promise<Uploaded> {
  const fullKey = `${INCOMING_PREFIX}${run}/${key}`;
  const put = await target.s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: fullKey,
      Body: createReadStream(file),
      ContentLength: (await stat(file)).size,
      Metadata: metadata,
    }),
  );
  const versionId = put.VersionId ?? null;
  return { key: fullKey, file, versionId, jobId: jobIdFor(target.bucket, fullKey, versionId) };
}

async function finish(...uploads: Uploaded[]): Promise<Job[]> {
  const done = await waitForJobs(
    target.jobs,
    uploads.map((u) => u.jobId),
    { timeoutMs: target.jobTimeoutMs, intervalMs: 300 },
  );
  return uploads.map((u) => done.get(u.jobId)!);
}

async function result(job: Job): Promise<ResultDocument> {
  const out = await target.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: job.resultKey! }));
  return JSON.parse(await out.Body!.transformToString()) as ResultDocument;
}

async function direct(file: string, key: string) {
  return runJob(createReadStream(file), { name: key });
}

const succeeded: Job[] = [];

describe(`pipeline end to end (target: ${name})`, () => {
  it('runs a small FASTQ in Lambda with the same stats as the core run directly', async () => {
    const file = path.join(dir, 'small.fastq');
    await writeFastq(file, { reads: 2000, minLen: 30, maxLen: 300, seed: 21 });
    const up = await upload('small.fastq', file);
    const [job] = await finish(up);
    expect(job).toMatchObject({
      status: 'SUCCEEDED',
      route: 'lambda',
      resultKey: `results/${run}/small.fastq.json`,
    });
    const doc = await result(job!);
    expect(doc.job.route).toBe('lambda');
    expect(doc.report).toEqual(await direct(file, up.key));
    succeeded.push(job!);
  });

  it('runs a large gzipped FASTQ on ECS with the same stats as the core run directly', async (ctx) => {
    if (target.cannot.ecs) ctx.skip(target.cannot.ecs);
    const file = path.join(dir, 'large.fastq.gz');
    const large = target.largeRoute;
    // Synthetic reads compress about 2:1, so this lands a little over the Lambda limit.
    await writeFastq(file, {
      bytes: large.by === 'size' ? large.gzipLambdaMaxBytes * 2.6 : 2e6,
      seed: 22,
      gzip: true,
    });
    if (large.by === 'size') expect((await stat(file)).size).toBeGreaterThan(large.gzipLambdaMaxBytes);
    const up = await upload(
      'large.fastq.gz',
      file,
      large.by === 'metadata' ? { [FORCED_ROUTE_METADATA]: 'ecs' } : undefined,
    );
    const [job] = await finish(up);
    expect(job).toMatchObject({ status: 'SUCCEEDED', route: 'ecs' });
    expect(job!.taskArn).toMatch(/^arn:aws:ecs:/);
    const doc = await result(job!);
    expect(doc.job.route).toBe('ecs');
    expect(doc.report).toEqual(await direct(file, up.key));
    succeeded.push(job!);
  });

  it('gives identical stats for the same file forced through each route', async (ctx) => {
    if (target.cannot.ecs) ctx.skip(target.cannot.ecs);
    const file = path.join(dir, 'both.fastq.gz');
    await writeFastq(file, {
      reads: 5000,
      minLen: 20,
      maxLen: 400,
      seed: 23,
      gzip: true,
      gzipMemberBytes: 200_000,
    });
    const viaLambda = await upload('both/lambda.fastq.gz', file, { [FORCED_ROUTE_METADATA]: 'lambda' });
    const viaEcs = await upload('both/ecs.fastq.gz', file, { [FORCED_ROUTE_METADATA]: 'ecs' });
    const [a, b] = await finish(viaLambda, viaEcs);
    expect([a!.route, b!.route, a!.status, b!.status]).toEqual(['lambda', 'ecs', 'SUCCEEDED', 'SUCCEEDED']);
    const [ra, rb] = [(await result(a!)).report as JobReport, (await result(b!)).report as JobReport];
    expect(ra.input.name).toBe(viaLambda.key);
    expect(ra).toEqual({ ...rb, input: { ...rb.input, name: viaLambda.key } });
    succeeded.push(a!, b!);
  });

  it('fails a malformed FASTQ with the reason and leaves its input in the bucket', async () => {
    const file = path.join(dir, 'broken.fastq');
    await writeFastq(file, { reads: 3, seed: 24 });
    await appendFile(file, '@read4\nACGTACGT\n+\nIIII\n');
    const up = await upload('broken.fastq', file);
    const [job] = await finish(up);
    expect(job!.status).toBe('FAILED');
    expect(job!.error).toMatch(/line 1[4-6]/);
    const head = await target.s3.send(
      new HeadObjectCommand({ Bucket: target.bucket, Key: up.key, VersionId: up.versionId ?? undefined }),
    );
    expect(head.ContentLength).toBe((await stat(file)).size);
    expect(job!.resultKey).toBeUndefined();
  });

  it('handles keys with spaces, +, % and non-ASCII characters', async () => {
    const file = path.join(dir, 'table.csv');
    await writeCsv(file, { rows: 500, seed: 25 });
    const keys = ['with space/a b.csv', 'plus+sign.csv', '100% done.csv', 'échantillon/血液 №1.csv'];
    const uploads = [];
    for (const key of keys) uploads.push(await upload(key, file));
    const jobs = await finish(...uploads);
    for (const [i, job] of jobs.entries()) {
      expect(job).toMatchObject({
        status: 'SUCCEEDED',
        key: uploads[i]!.key,
        resultKey: `results/${run}/${keys[i]}.json`,
      });
      expect((await result(job)).job.key).toBe(uploads[i]!.key);
      succeeded.push(job);
    }
  });

  it('puts the report of every successful job on the shared file system', async (ctx) => {
    if (target.cannot.efs || !target.sharedDir)
      ctx.skip(target.cannot.efs ?? 'no shared folder on this target');
    expect(succeeded.length).toBeGreaterThan(0);
    for (const job of succeeded) {
      const onShared = JSON.parse(
        await readFile(sharedResultPath(target.sharedDir!, job.key), 'utf8'),
      ) as ResultDocument;
      expect(onShared).toEqual(await result(job));
    }
  });

  it('never starts a job for a result', async () => {
    expect(succeeded.length).toBeGreaterThan(0);
    for (const job of succeeded) {
      const head = await target.s3.send(
        new HeadObjectCommand({ Bucket: target.bucket, Key: job.resultKey! }),
      );
      const resultJob = jobIdFor(target.bucket, job.resultKey!, head.VersionId ?? null);
      expect(await target.jobs.get(resultJob)).toBeUndefined();
    }
    if (target.dispatcherInvocations) {
      // Only uploads reached the dispatcher: the notification filter kept every result away. A
      // last upload, made after every result was written, is waited for: events that came before
      // it have been delivered by then.
      const file = path.join(dir, 'last.csv');
      await writeCsv(file, { rows: 5, seed: 26 });
      const [last] = await finish(await upload('last.csv', file));
      expect(last!.status).toBe('SUCCEEDED');
      const uploads = 1 + (target.cannot.ecs ? 0 : 3) + 1 + 4 + 1;
      expect(await target.dispatcherInvocations()).toBe(uploads);
    }
  });
});
