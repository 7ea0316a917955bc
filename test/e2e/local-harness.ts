import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NO_CHAOS, type Chaos } from '../../local/chaos.js';
import { startLocalCloud, type RunningLocalCloud, type StartLocalCloudOptions } from '../../local/cloud.js';
import { localAwsEnv } from '../../local/resources.js';
import { waitForJobs } from '../../src/cli/watch-jobs.js';
import { createClients } from '../../src/runtime/aws/clients.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import { jobIdFor, type Job } from '../../src/runtime/job.js';

export interface Harness {
  local: RunningLocalCloud;
  s3: S3Client;
  jobs: JobsTable;
  upload(key: string, body: Buffer, metadata?: Record<string, string>): Promise<string>;
  finish(ids: string[]): Promise<Job[]>;
}

/**
 * A private local cloud for one test, with faults or settings of its own, stopped afterwards.
 */
export async function withLocalCloud(
  chaos: Partial<Chaos>,
  test: (h: Harness) => Promise<void>,
  options: Omit<StartLocalCloudOptions, 'port' | 'stateDir' | 'chaos'> = {},
): Promise<void> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-chaos-'));
  const local = await startLocalCloud({
    ...options,
    port: 0,
    stateDir,
    chaos: { ...NO_CHAOS, ...chaos },
    runner: { retryDelayMs: 100, sweepIntervalMs: 1000 },
  });
  try {
    Object.assign(process.env, localAwsEnv(local.cloud.endpoint, local.cloud.region));
    const clients = createClients();
    const jobs = new JobsTable(clients.ddb, local.cloud.table);
    const bucket = local.cloud.bucket;
    await test({
      local,
      s3: clients.s3,
      jobs,
      async upload(key, body, metadata) {
        const put = await clients.s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: metadata }),
        );
        return jobIdFor(bucket, key, put.VersionId ?? null);
      },
      async finish(ids) {
        const done = await waitForJobs(jobs, ids, { timeoutMs: 90_000 });
        return ids.map((id) => done.get(id)!);
      },
    });
  } finally {
    await local.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
