import { S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { inject } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { startLocalCloud, type RunningLocalCloud } from '../../local/cloud.js';
import type { InvocationReport } from '../../local/runner.js';
import type { LocalOutputs } from '../../local/emulators.js';
import { LOCALSTACK_BRIDGES } from '../../local/localstack/cloud.js';
import type { StackOutputs } from '../../local/localstack/deploy.js';
import { localAwsEnv } from '../../local/resources.js';
import { localOutputsFile } from '../../src/cli/local-cloud.js';
import { connectTarget, TargetError } from '../../src/cli/target.js';
import { createClients } from '../../src/runtime/aws/clients.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import { lambdaMaxBytes } from '../../contract/routing.js';
import type { TargetName } from './target-name.js';

export { targetName, type TargetName } from './target-name.js';

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
  /** How many times the dispatcher has been invoked since this target was started or connected, where it can tell. */
  dispatcherInvocations?: () => Promise<number>;
  stop(): Promise<void>;
}

export async function startTarget(name: TargetName): Promise<E2ETarget> {
  switch (name) {
    case 'local':
      return startLocal();
    case 'localstack':
      return connectLocalStack();
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

/** The LocalStack the e2e project's global setup started and deployed the stack into, for every file. */
export interface SharedLocalStack {
  endpoint: string;
  region: string;
  stackName: string;
  outputs: StackOutputs;
  sharedDir: string | null;
  functionLogDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set on `E2E_TARGET=localstack` (test/e2e/global-setup.ts), null otherwise. */
    localstack: SharedLocalStack | null;
  }
}

/**
 * LocalStack with the stack deployed into it from its template (`local/localstack/cloud.ts`): in
 * host mode with no Docker (the default, and CI's), or in LocalStack's container where Docker runs
 * (`LOCALSTACK_MODE=container`). The global setup starts it once; every file connects to it, as to
 * a stack deployed on AWS, and uses keys of its own. The large case forces the ECS route by
 * metadata: the deployed dispatcher has the real 15-minute budget.
 */
async function connectLocalStack(): Promise<E2ETarget> {
  const ls = inject('localstack');
  if (!ls) throw new Error('E2E_TARGET=localstack, but the e2e global setup started no LocalStack');
  Object.assign(process.env, localAwsEnv(ls.endpoint, ls.region));
  const clients = createClients();
  const dispatcher = ls.outputs.DispatcherFunctionName;
  // The runtime logs a START line per invocation, as Lambda does, in one file per environment.
  const invocations = async () => {
    let count = 0;
    // No folder yet: no function has run.
    const files = await readdir(ls.functionLogDir).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.startsWith(dispatcher))) {
      count +=
        (await readFile(path.join(ls.functionLogDir, file), 'utf8')).match(/^START RequestId: /gm)?.length ??
        0;
    }
    return count;
  };
  // Earlier files' uploads were invoked before their jobs ended, which they waited for.
  const before = await invocations();
  return {
    name: 'localstack',
    console: { args: ['--stack', ls.stackName], env: localAwsEnv(ls.endpoint, ls.region) },
    bucket: ls.outputs.DataBucketName,
    s3: clients.s3,
    jobs: new JobsTable(clients.ddb, ls.outputs.JobsTableName),
    sharedDir: ls.sharedDir ?? undefined,
    cannot: ls.sharedDir
      ? {}
      : {
          efs: 'in the container, functions run in containers of their own, which see no folder of this machine',
        },
    bridges: LOCALSTACK_BRIDGES,
    largeRoute: { by: 'metadata' },
    jobTimeoutMs: 120_000,
    dispatcherInvocations: async () => (await invocations()) - before,
    // The global setup stops LocalStack after the last file.
    async stop() {},
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
