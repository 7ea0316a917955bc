import { S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLocalCloud, type RunningLocalCloud } from '../../local/cloud.js';
import type { InvocationReport } from '../../local/runner.js';
import { ensureEmulatorInstalled, type LocalOutputs } from '../../local/emulators.js';
import { LOCALSTACK_BRIDGES, startLocalStackCloud } from '../../local/localstack/cloud.js';
import type { LocalStackMode } from '../../local/localstack/server.js';
import { localAwsEnv } from '../../local/resources.js';
import { localOutputsFile } from '../../src/cli/local-cloud.js';
import { connectTarget, TargetError } from '../../src/cli/target.js';
import { createClients } from '../../src/runtime/aws/clients.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import { lambdaMaxBytes } from '../../contract/routing.js';

export type TargetName = 'local' | 'localstack' | 'aws';

/** One place the end-to-end suite can run: the same cases, different clouds. */
export interface E2ETarget {
  name: TargetName;
  bucket: string;
  s3: S3Client;
  jobs: JobsTable;
  /** A local folder that shows the shared file system, where the target has one. */
  sharedDir?: string;
  /** Why a capability cannot be tested on this target; absent when it can. */
  cannot: { ecs?: string; efs?: string };
  /** What stands in for a part of AWS the target lacks, said once per run. */
  bridges?: Readonly<Record<string, string>>;
  /**
   * How a "large" job reaches ECS: by its size (the local Lambda budget is small) or, where a
   * file over the budget would take too long to upload, by the forced-route metadata.
   */
  largeRoute: { by: 'size'; gzipLambdaMaxBytes: number } | { by: 'metadata' };
  /** How long a job may take to end here. */
  jobTimeoutMs: number;
  /** How the `pipeline` console reaches this target: its arguments and environment. */
  console: { args: string[]; env: Record<string, string> };
  /** Local only: the runner, to count invocations. */
  local?: RunningLocalCloud;
  /** How many times the dispatcher has been invoked, where the target can tell. */
  dispatcherInvocations?: () => Promise<number>;
  stop(): Promise<void>;
}

export function targetName(): TargetName {
  const name = (process.env.E2E_TARGET ?? 'local') as TargetName;
  if (!['local', 'localstack', 'aws'].includes(name))
    throw new Error(`E2E_TARGET must be local, localstack or aws, not ${name}`);
  return name;
}

export async function startTarget(name: TargetName): Promise<E2ETarget> {
  switch (name) {
    case 'local':
      return startLocal();
    case 'localstack':
      return startLocalStack();
    case 'aws':
      return connectAws();
  }
}

async function startLocal(): Promise<E2ETarget> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-e2e-'));
  const local = await startLocalCloud({ port: 0, stateDir });
  const { cloud } = local;
  let firstAttempts = 0;
  local.runner.on('invocation', (r: InvocationReport) => {
    if (r.functionName === 'dispatcher' && r.attempt === 1) firstAttempts++;
  });
  Object.assign(process.env, localAwsEnv(cloud.endpoint, cloud.region));
  // What `npm run local` writes for the console to find it.
  const outputs: Pick<LocalOutputs, 'endpoint' | 'region' | 'bucket' | 'table'> = cloud;
  await writeFile(localOutputsFile({ stateDir }), JSON.stringify(outputs));
  const clients = createClients();
  return {
    name: 'local',
    console: { args: [], env: { LOCAL_STATE_DIR: stateDir } },
    bucket: cloud.bucket,
    s3: clients.s3,
    jobs: new JobsTable(clients.ddb, cloud.table),
    sharedDir: cloud.sharedDir,
    cannot: {},
    largeRoute: {
      by: 'size',
      gzipLambdaMaxBytes: lambdaMaxBytes({ format: 'fastq', gzip: true }, cloud.policy),
    },
    jobTimeoutMs: 60_000,
    local,
    // Each event is invoked once; retries of a failed invocation are not counted.
    dispatcherInvocations: async () => firstAttempts,
    async stop() {
      await local.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * LocalStack with the stack deployed into it from its template (`local/localstack/cloud.ts`): in
 * host mode with no Docker (the default, and CI's), or in LocalStack's container where Docker runs
 * (`LOCALSTACK_MODE=container`). The large case forces the ECS route by metadata: the deployed
 * dispatcher has the real 15-minute budget.
 */
async function startLocalStack(): Promise<E2ETarget> {
  const mode = (process.env.LOCALSTACK_MODE ?? 'host') as LocalStackMode;
  if (mode !== 'host' && mode !== 'container')
    throw new Error(`LOCALSTACK_MODE must be host or container, not ${mode}`);
  // `E2E_TARGET=localstack npm run test:e2e` on a fresh clone installs LocalStack here.
  ensureEmulatorInstalled('localstack');
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-e2e-localstack-'));
  const ls = await startLocalStackCloud({ port: 0, stateDir, mode });
  Object.assign(process.env, localAwsEnv(ls.endpoint, ls.region));
  const clients = createClients();
  const dispatcher = ls.outputs.DispatcherFunctionName;
  return {
    name: 'localstack',
    console: { args: ['--stack', ls.stackName], env: localAwsEnv(ls.endpoint, ls.region) },
    bucket: ls.outputs.DataBucketName,
    s3: clients.s3,
    jobs: new JobsTable(clients.ddb, ls.outputs.JobsTableName),
    sharedDir: ls.sharedDir,
    cannot: ls.sharedDir
      ? {}
      : {
          efs: 'in the container, functions run in containers of their own, which see no folder of this machine',
        },
    bridges: LOCALSTACK_BRIDGES,
    largeRoute: { by: 'metadata' },
    jobTimeoutMs: 120_000,
    // The runtime logs a START line per invocation, as Lambda does, in one file per environment.
    async dispatcherInvocations() {
      const dir = path.join(stateDir, 'logs', 'lambda');
      let count = 0;
      for (const file of (await readdir(dir)).filter((f) => f.startsWith(dispatcher))) {
        count += (await readFile(path.join(dir, file), 'utf8')).match(/^START RequestId: /gm)?.length ?? 0;
      }
      return count;
    },
    async stop() {
      await ls.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * A stack already deployed with `cdk deploy`; STACK_NAME names it (default S3Pipeline-sandbox).
 * Region, credentials and the stack are checked first, as the console checks them, so a missing
 * one is named instead of surfacing as an SDK stack trace mid-suite.
 */
async function connectAws(): Promise<E2ETarget> {
  const stackName = process.env.STACK_NAME ?? 'S3Pipeline-sandbox';
  const stack = await connectTarget({ stack: stackName }).catch((error: unknown) => {
    if (!(error instanceof TargetError)) throw error;
    throw new Error(`E2E_TARGET=aws: ${error.message} (STACK_NAME names the stack, default ${stackName})`);
  });
  return {
    name: 'aws',
    console: { args: ['--stack', stackName], env: {} },
    bucket: stack.bucket,
    s3: stack.s3,
    jobs: stack.jobs,
    cannot: {
      efs: 'the EFS file system is reachable only from inside the VPC; the dispatcher and workers write to it there',
    },
    largeRoute: { by: 'metadata' },
    jobTimeoutMs: 600_000,
    async stop() {
      stack.destroy();
    },
  };
}
