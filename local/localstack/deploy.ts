import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  paginateDescribeStackEvents,
} from '@aws-sdk/client-cloudformation';
import { EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { execFile } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Outputs } from '../../contract/names.js';
import { REPO_ROOT } from '../emulator.js';
import { localAwsEnv, localClientConfig } from '../resources.js';

/** The worker image's name in a stack deployed to an emulator: never pulled, the runner starts the bundle. */
const EMULATED_WORKER_IMAGE = 's3-pipeline-worker:emulated';

export type StackOutputs = Record<(typeof Outputs)[keyof typeof Outputs], string>;

export interface DeployOptions {
  endpoint: string;
  region: string;
  /** Where cdk writes the cloud assembly. */
  outDir: string;
  /** Where cdklocal's output goes. */
  logFile: string;
  /** More CDK context, `key=value`. */
  context?: string[];
}

export interface DeployedStack {
  stackName: string;
  outputs: StackOutputs;
  bootstrapMs: number;
  deployMs: number;
}

const run = promisify(execFile);

/**
 * `cdklocal bootstrap` and `cdklocal deploy` of the app `cdk deploy` uses (cdk.json), into the
 * emulator at `endpoint`. The only difference from a deployment to AWS is the worker image, named
 * (`workerImage`) instead of built, so no Docker is needed. Fails if the emulator left any
 * resource hollow (deployed as a placeholder for want of a provider).
 */
export async function deployStack(options: DeployOptions): Promise<DeployedStack> {
  const env = {
    ...process.env,
    ...localAwsEnv(options.endpoint, options.region),
    // File assets are uploaded here; the default virtual-host names need public DNS.
    AWS_ENDPOINT_URL_S3: options.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const cdklocal = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdklocal');
  const context = ['workerImage=' + EMULATED_WORKER_IMAGE, ...(options.context ?? [])].flatMap((c) => [
    '-c',
    c,
  ]);
  const outputsFile = path.join(options.outDir, 'outputs.json');
  const step = async (args: string[]): Promise<number> => {
    const started = Date.now();
    try {
      const { stdout, stderr } = await run(cdklocal, [...args, '--output', options.outDir, ...context], {
        cwd: REPO_ROOT,
        env,
        maxBuffer: 64 << 20,
      });
      await appendFile(options.logFile, stdout + stderr);
    } catch (error) {
      const e = error as Error & { stdout?: string; stderr?: string };
      await appendFile(options.logFile, `${e.stdout ?? ''}${e.stderr ?? ''}`);
      throw new Error(
        `cdklocal ${args[0]} failed (see ${options.logFile}):\n${lastLines(e.stderr ?? e.message, 30)}`,
      );
    }
    return Date.now() - started;
  };
  const bootstrapMs = await step(['bootstrap']);
  const deployMs = await step([
    'deploy',
    '--all',
    '--require-approval',
    'never',
    '--outputs-file',
    outputsFile,
  ]);
  const [[stackName, outputs]] = Object.entries(
    JSON.parse(await readFile(outputsFile, 'utf8')) as Record<string, StackOutputs>,
  ) as [[string, StackOutputs]];
  await refuseHollowResources(options.endpoint, options.region, stackName);
  await applyVpcDnsAttributes(options, stackName);
  return { stackName, outputs, bootstrapMs, deployMs };
}

/**
 * LocalStack's VPC provider creates the VPC without the template's `EnableDnsHostnames` and
 * `EnableDnsSupport`, and moto's RunTask needs the first to name a task's network interface: they
 * are applied here, from the template, as CloudFormation would have.
 */
async function applyVpcDnsAttributes(options: DeployOptions, stackName: string): Promise<void> {
  const template = JSON.parse(
    await readFile(path.join(options.outDir, `${stackName}.template.json`), 'utf8'),
  ) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  const cfn = new CloudFormationClient(localClientConfig(options.endpoint, options.region));
  const ec2 = new EC2Client(localClientConfig(options.endpoint, options.region));
  try {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::EC2::VPC') continue;
      const { StackResourceDetail } = await cfn.send(
        new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }),
      );
      const VpcId = StackResourceDetail!.PhysicalResourceId!;
      for (const name of ['EnableDnsSupport', 'EnableDnsHostnames'] as const) {
        const value = resource.Properties?.[name];
        if (typeof value === 'boolean') {
          await ec2.send(new ModifyVpcAttributeCommand({ VpcId, [name]: { Value: value } }));
        }
      }
    }
  } finally {
    cfn.destroy();
    ec2.destroy();
  }
}

/** LocalStack deploys a type it has no provider for as a placeholder and only says so in its events. */
export async function refuseHollowResources(
  endpoint: string,
  region: string,
  stackName: string,
): Promise<void> {
  const cfn = new CloudFormationClient(localClientConfig(endpoint, region));
  const hollow = new Set<string>();
  try {
    for await (const page of paginateDescribeStackEvents({ client: cfn }, { StackName: stackName })) {
      for (const event of page.StackEvents ?? []) {
        if (/not supported but was deployed as a fallback/.test(event.ResourceStatusReason ?? '')) {
          hollow.add(`${event.LogicalResourceId} (${event.ResourceType})`);
        }
      }
    }
  } finally {
    cfn.destroy();
  }
  if (hollow.size) {
    throw new Error(
      `the emulator has no provider for ${[...hollow].join(', ')}: it deployed them as empty placeholders`,
    );
  }
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
