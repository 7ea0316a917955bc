import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalCloud, type RunningLocalCloud } from '../../local/cloud.js';
import { REPO_ROOT } from '../../local/emulator.js';
import { localAwsEnv } from '../../local/resources.js';
import { createClients } from '../../src/runtime/aws/clients.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import { lambdaMaxBytes } from '../../src/runtime/routing.js';

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
  /**
   * How a "large" job reaches ECS: by its size (the local Lambda budget is small) or, where a
   * file over the budget would take too long to upload, by the forced-route metadata.
   */
  largeRoute: { by: 'size'; gzipLambdaMaxBytes: number } | { by: 'metadata' };
  /** How long a job may take to end here. */
  jobTimeoutMs: number;
  /** Local only: the runner, to count invocations. */
  local?: RunningLocalCloud;
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
  Object.assign(process.env, localAwsEnv(cloud.endpoint, cloud.region));
  const clients = createClients();
  return {
    name: 'local',
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
    async stop() {
      await local.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

const run = promisify(execFile);

/**
 * LocalStack in a container (testcontainers), the stack deployed into it with cdklocal. Lambda
 * runs in Docker (hence the socket mount). The stack has ECS and EFS resources, which LocalStack
 * provides only on a paid tier, so without LOCALSTACK_AUTH_TOKEN the stack cannot be deployed and
 * the target says so instead of passing. EFS mounts are not emulated on any tier: that case is
 * skipped with its reason, never faked.
 */
async function startLocalStack(): Promise<E2ETarget> {
  const token = process.env.LOCALSTACK_AUTH_TOKEN;
  if (!token) {
    throw new Error(
      'E2E_TARGET=localstack needs LOCALSTACK_AUTH_TOKEN: the stack has ECS and EFS resources, which LocalStack ' +
        'emulates only on a paid tier (its free tier has Lambda, S3, DynamoDB and SQS, but a deployment with ' +
        'ECS or EFS resources fails there)',
    );
  }
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    throw new Error(
      `E2E_TARGET=localstack needs a container runtime (Docker) and none was found: ${(error as Error).message}`,
    );
  }
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  const image = process.env.LOCALSTACK_IMAGE ?? 'localstack/localstack:4.14.0';
  const container = await new LocalstackContainer(image)
    .withEnvironment({ LOCALSTACK_AUTH_TOKEN: token, LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT: '60' })
    .withBindMounts([{ source: '/var/run/docker.sock', target: '/var/run/docker.sock' }])
    .start();
  const endpoint = container.getConnectionUri();
  const region = 'us-east-1';
  const env = { ...process.env, ...localAwsEnv(endpoint, region), AWS_ENDPOINT_URL_S3: endpoint };
  const outputsFile = path.join(os.tmpdir(), `s3-pipeline-localstack-${Date.now()}.json`);
  const cdklocal = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdklocal');
  await run(cdklocal, ['bootstrap'], { cwd: REPO_ROOT, env, maxBuffer: 64 << 20 });
  await run(cdklocal, ['deploy', '--all', '--require-approval', 'never', '--outputs-file', outputsFile], {
    cwd: REPO_ROOT,
    env,
    maxBuffer: 64 << 20,
  });
  const outputs = Object.values(
    JSON.parse(await readFile(outputsFile, 'utf8')) as Record<string, Record<string, string>>,
  )[0]!;
  Object.assign(process.env, localAwsEnv(endpoint, region));
  const clients = createClients();
  return {
    name: 'localstack',
    bucket: outputs.DataBucketName!,
    s3: clients.s3,
    jobs: new JobsTable(clients.ddb, outputs.JobsTableName!),
    cannot: {
      efs: 'LocalStack does not mount EFS file systems: each function and task writes to a folder of its own',
    },
    largeRoute: { by: 'metadata' },
    jobTimeoutMs: 180_000,
    async stop() {
      await container.stop();
      await rm(outputsFile, { force: true });
    },
  };
}

/** A stack already deployed with `cdk deploy`; STACK_NAME names it (default S3Pipeline-sandbox). */
async function connectAws(): Promise<E2ETarget> {
  const stackName = process.env.STACK_NAME ?? 'S3Pipeline-sandbox';
  const cfn = new CloudFormationClient({});
  const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries(
    (out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
  );
  cfn.destroy();
  if (!outputs.DataBucketName || !outputs.JobsTableName) {
    throw new Error(`stack ${stackName} has no DataBucketName/JobsTableName outputs: is it deployed?`);
  }
  const clients = createClients();
  return {
    name: 'aws',
    bucket: outputs.DataBucketName,
    s3: clients.s3,
    jobs: new JobsTable(clients.ddb, outputs.JobsTableName),
    cannot: {
      efs: 'the EFS file system is reachable only from inside the VPC; the dispatcher and workers write to it there',
    },
    largeRoute: { by: 'metadata' },
    jobTimeoutMs: 600_000,
    async stop() {},
  };
}
